"""The pages behind the links in Hearth's messages: confirm a subscription, unsubscribe (a GET
shows a button; a POST, the RFC 8058 one-click request included, unsubscribes at once), and a
guest's personal data (export as JSON, erase after a button). The signed token in the URL is
the only credential: no sign-in, no CSRF token (a mail client's one-click POST has neither)."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.errors import DomainError
from cms.services import mail as mail_services
from cms.services import privacy


def _page(request, *, title: str, message: str, button: str | None = None, status: int = 200):
    return render(request, "hearth/pages/mail_action.html",
                  {"title": title, "message": message, "button": button}, status=status)


def _bad_link(request, error: DomainError):
    return _page(request, title=_("Link not valid"), message=error.message, status=400)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm_subscription(request, token: str):
    if request.method == "GET":
        return _page(request, title=_("Confirm your subscription"),
                     message=_("Receive new posts by e-mail?"), button=_("Confirm"))
    try:
        mail_services.subscription_confirm(token=token)
    except DomainError as error:
        return _bad_link(request, error)
    return _page(request, title=_("Subscribed"),
                 message=_("You will receive new posts by e-mail."))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "GET":
        return _page(request, title=_("Unsubscribe"),
                     message=_("Stop receiving these messages?"), button=_("Unsubscribe"))
    try:
        mail_services.unsubscribe(token=token)
    except DomainError as error:
        return _bad_link(request, error)
    return _page(request, title=_("Unsubscribed"),
                 message=_("You will not receive these messages any more."))


@require_http_methods(["GET"])
def export_personal_data(request, token: str):
    try:
        email = privacy.email_from_token(token, "export")
    except DomainError as error:
        return _bad_link(request, error)
    data = privacy.personal_data_export(email=email)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def erase_personal_data(request, token: str):
    try:
        email = privacy.email_from_token(token, "erase")
    except DomainError as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return _page(request, title=_("Erase your personal data"),
                     message=_("Your comments will be anonymised or removed, and your "
                               "reactions and subscriptions deleted. This cannot be undone."),
                     button=_("Erase"))
    privacy.personal_data_erase(email=email)
    return _page(request, title=_("Erased"), message=_("Your personal data was erased."))
