"""Webhooks in the admin: endpoints to edit, deliveries and their attempts to read."""

from django import forms
from django.contrib import admin, messages
from unfold.admin import ModelAdmin, TabularInline

from cms.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from cms.models.webhooks import TEST_EVENT, WEBHOOK_EVENTS
from cms.webhooks import RefusedDestination, enqueue_for, resolve, retry_now


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https",
                         help_text="Where events are POSTed.")
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in WEBHOOK_EVENTS], required=False,
        widget=forms.CheckboxSelectMultiple, help_text="None chosen means every event.")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "build_hook", "active"]

    def clean_url(self) -> str:
        """Refuse at once what the send-time check would refuse (the send-time check is the one
        that counts: what a name resolves to can change)."""
        url = self.cleaned_data["url"]
        try:
            resolve(url)
        except RefusedDestination as reason:
            raise forms.ValidationError(str(reason)) from None
        except OSError:
            pass  # a name that does not resolve (yet) is checked again at every send
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "build_hook", "active", "created_at"]
    list_filter = ["active", "build_hook"]
    readonly_fields = ["secret", "created_at"]
    actions = ["send_test_event"]

    def get_readonly_fields(self, request, obj=None):
        # The secret is made when the endpoint is saved; show it from then on.
        return self.readonly_fields if obj is not None else []

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events) or "all"

    @admin.action(description="Send a test event")
    def send_test_event(self, request, queryset):
        endpoints = list(queryset)
        enqueue_for(endpoints, TEST_EVENT, {"message": "A test event from the Hearth admin."})
        self.message_user(request, f"Queued a test event for {len(endpoints)} endpoint(s); "
                                   "the run_webhooks worker sends it.", messages.SUCCESS)


class WebhookAttemptInline(TabularInline):
    model = WebhookAttempt
    fields = ["number", "attempted_at", "status_code", "error", "duration_ms", "response_body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "created_at"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    fields = ["endpoint", "event", "message_id", "status", "attempts", "next_attempt_at",
              "last_status_code", "last_error", "payload", "created_at", "delivered_at"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry(self, request, queryset):
        count = retry_now(queryset)
        self.message_user(request, f"{count} deliver(ies) queued again.", messages.SUCCESS)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ModelAdmin):
    list_display = ["delivery", "number", "attempted_at", "status_code", "error", "duration_ms"]
    list_filter = ["status_code"]
    list_select_related = ["delivery__endpoint"]
    readonly_fields = ["delivery", "number", "attempted_at", "status_code", "error",
                       "response_body", "duration_ms"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
