"""django-allauth's account flows, driven from GraphQL: the same forms (its headless inputs) and
the same flows as allauth's own headless API and HTML pages, so the rules (password
validators, mandatory e-mail verification, its rate limits, no account enumeration) are
allauth's in every door. A refusal is a DomainError, shown as the payload's `errors`.

The request's session is what signs a reader in or out (Django's login and logout); each flow
takes the HTTP request for that reason, which is why they live here and not in cms.services.
"""

import contextlib

from allauth.account.adapter import get_adapter
from allauth.account.internal import flows
from allauth.account.internal.flows import email_verification, password_reset
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.headless.account.inputs import (
    LoginInput,
    RequestPasswordResetInput,
    ResetPasswordInput,
    SignupInput,
    VerifyEmailInput,
)
from django.conf import settings

from cms import ratelimit
from cms.errors import DomainError, ErrorCode, ValidationErrors
from cms.services.accounts import DISPLAY_NAME_LENGTH
from cms.services.validation import clean_text

# allauth's form fields as the GraphQL inputs name them.
FIELDS = {"email": "email", "password": "password", "password1": "password", "key": "key",
          "display_name": "displayName"}


def _refusal(form) -> ValidationErrors:
    errors = []
    for name, problems in form.errors.as_data().items():
        for problem in problems:
            code = ErrorCode.REQUIRED if problem.code == "required" else ErrorCode.INVALID
            message = " ".join(str(m) for m in problem.messages)
            errors.append(DomainError(code, message, field=FIELDS.get(name)))
    return ValidationErrors(errors)


def _valid(form):
    if not form.is_valid():
        raise _refusal(form)
    return form


def limit_mail(*, email: str, client_ip: str | None) -> None:
    """A mutation that sends mail: at most HEARTH_ACCOUNT_MAIL_PER_ADDRESS to one address and
    HEARTH_ACCOUNT_MAIL_PER_IP from one client IP per HEARTH_ACCOUNT_MAIL_WINDOW_SECONDS, so
    Hearth cannot be made to flood a mailbox or to spend its sending reputation."""
    window = settings.HEARTH_ACCOUNT_MAIL_WINDOW_SECONDS
    for key, limit in ((f"account-mail:ip:{client_ip}", settings.HEARTH_ACCOUNT_MAIL_PER_IP),
                       (f"account-mail:to:{email.strip().lower()}",
                        settings.HEARTH_ACCOUNT_MAIL_PER_ADDRESS)):
        retry_after = ratelimit.hit(key, limit=limit, window=window)
        if retry_after is not None:
            raise DomainError(ErrorCode.RATE_LIMITED, "Too many e-mails asked for; try again "
                              f"in {retry_after} seconds.", retry_after=retry_after)


def _signed_out(request) -> None:
    if request.user.is_authenticated:
        raise DomainError(ErrorCode.CONFLICT, "You are signed in already; sign out first.")


def sign_up(request, *, email: str, password: str, display_name: str | None,
            client_ip: str | None) -> None:
    """A new reader account, signed in only once its address is verified: allauth sends the
    link (or, for an address that has an account, a mail saying so: the answer is the same)."""
    _signed_out(request)
    display_name = clean_text(display_name, field="displayName",
                              max_length=DISPLAY_NAME_LENGTH, label="display name")
    form = _valid(SignupInput({"email": email, "password": password}))
    limit_mail(email=form.cleaned_data["email"], client_ip=client_ip)
    form.cleaned_data["display_name"] = display_name
    user, response = form.try_save(request)
    if user is not None and response is None:
        with contextlib.suppress(ImmediateHttpResponse):
            flows.signup.complete_signup(request, user=user)


def sign_in(request, *, email: str, password: str) -> None:
    """Sign in with the e-mail and password. An unverified address is sent its link again
    (allauth's `confirm_email` rate limit) and the reader stays signed out."""
    _signed_out(request)
    form = _valid(LoginInput({"email": email, "password": password}))
    flows.login.perform_password_login(request, form.cleaned_data, form.login)
    if not request.user.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Confirm your e-mail address first: we "
                          "sent you a link.", field="email")


def sign_out(request) -> None:
    get_adapter().logout(request)


def verify_email(request, *, key: str) -> None:
    """Follow the link of a verification mail; the reader then signs in (with allauth's
    ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION, off, a sign-up pending in this browser would finish)."""
    form = _valid(VerifyEmailInput({"key": key}))
    address = form.verification.confirm(request)
    if not address:
        raise DomainError(ErrorCode.INVALID, "This link has expired or was used.", field="key")
    email_verification.login_on_verification(request, address)


def request_password_reset(request, *, email: str, client_ip: str | None) -> None:
    """Send a reset link to the address if an account has it (else a mail saying none does):
    the answer is the same either way."""
    form = _valid(RequestPasswordResetInput({"email": email}))
    limit_mail(email=form.cleaned_data["email"], client_ip=client_ip)
    form.save(request)


def reset_password(request, *, key: str, password: str) -> None:
    """Set a new password with the key of a reset mail; the reader then signs in with it."""
    form = _valid(ResetPasswordInput({"key": key, "password": password}))
    password_reset.reset_password(form.user, form.cleaned_data["password"])
    password_reset.finalize_password_reset(request, form.user)
