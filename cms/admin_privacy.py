"""The admin's e-mail and personal-data tools: subscribers, the outbox, and WordPress's
"Export Personal Data" / "Erase Personal Data" for an e-mail address (administrators only),
through the same services as the links mailed to guests."""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from cms.errors import DomainError
from cms.models import MailStatus, OutgoingMail, Role, Subscriber
from cms.models.mail import PersonalData
from cms.services import privacy
from cms.services.validation import clean_email


def _is_administrator(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.role == Role.ADMINISTRATOR


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "confirmed_at"]
    search_fields = ["email"]
    readonly_fields = ["email", "confirmed_at"]

    def has_add_permission(self, request):
        return False  # only the address's owner subscribes (double opt-in)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["kind", "to_email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email"]
    # `data` is left out: an account mail's one-time link (a password reset key) is in it.
    fields = readonly_fields = [f.name for f in OutgoingMail._meta.fields if f.name != "data"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected failed messages now")
    def retry_now(self, request, queryset):
        retried = queryset.filter(status=MailStatus.FAILED).update(
            status=MailStatus.PENDING, next_attempt_at=timezone.now())
        self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)


@admin.register(PersonalData)
class PersonalDataAdmin(admin.ModelAdmin):
    """One page: an address, then its data as a JSON download or erased after a confirmation."""

    def has_module_permission(self, request):
        return _is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return _is_administrator(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not _is_administrator(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "erase_mode": settings.HEARTH_PRIVACY_ERASE_COMMENTS,
                   "title": "Export or erase personal data", "email": "", "confirm": False}
        if request.method == "POST":
            try:
                email = clean_email(request.POST.get("email"), field="email",
                                    max_length=254, required=True)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return TemplateResponse(request, "admin/cms/personal_data.html", context)
            context["email"] = email
            action = request.POST.get("action")
            if action == "export":
                data = privacy.personal_data_export(email=email)
                response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                                        content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            if action == "erase" and request.POST.get("confirmed") == "yes":
                erased = privacy.personal_data_erase(email=email)
                self.message_user(request, f"Erased for {email}: {erased['comments']} "
                                  f"comment(s), {erased['reactions']} reaction(s), "
                                  f"{erased['subscriptions']} subscription(s).",
                                  messages.SUCCESS)
                context["email"] = ""
            elif action == "erase":
                context["confirm"] = True
                context["found"] = privacy.personal_data_export(email=email)
        return TemplateResponse(request, "admin/cms/personal_data.html", context)
