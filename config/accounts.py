"""django-allauth adapters: how allauth's sign-up, e-mail and sign-in-with-another-site flows
meet Hearth's accounts. Every change to an account goes through cms/services/accounts.py."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.html import strip_tags

from cms import mail
from cms.services.accounts import reader_joined


def _origin_hosts() -> set[str]:
    from urllib.parse import urlparse

    return {urlparse(origin).netloc for origin in settings.CORS_ALLOWED_ORIGINS}


class ReaderAccountAdapter(DefaultAccountAdapter):
    """New accounts are readers (the subscriber role); the reader's site (an origin of
    CORS_ALLOWED_ORIGINS) is a safe place to return to after signing in."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        display_name = getattr(form, "cleaned_data", {}).get("display_name")
        if display_name:
            user.display_name = display_name
            if commit:
                user.save(update_fields=["display_name"])
        if commit:
            reader_joined(user=user)
        return user

    def send_mail(self, template_prefix, email, context):
        """Queue the mail in the outbox (cms/mail.py), in the request's transaction, rendered
        now in the reader's language; the worker sends it, with retries, never the request."""
        request = allauth_context.request
        message = self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": get_current_site(request),
            **context})
        html = next((content for content, mimetype in getattr(message, "alternatives", [])
                     if mimetype == "text/html"), None)
        if message.content_subtype == "html":  # allauth sends an HTML-only template as such
            message.body, html = strip_tags(message.body), message.body
        for address in message.to:
            mail.queue_account_mail(to_email=address, subject=message.subject,
                                    text=message.body, html=html)

    def is_safe_url(self, url: str) -> bool:
        from urllib.parse import urlparse

        if url and urlparse(url).netloc in _origin_hosts():
            return urlparse(url).scheme in ("http", "https")
        return super().is_safe_url(url)


class ReaderSocialAccountAdapter(DefaultSocialAccountAdapter):
    """A first sign-in through another site makes a reader account; allauth links it to an
    existing account only by an e-mail address that site verified
    (SOCIALACCOUNT_EMAIL_AUTHENTICATION)."""

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        if form is None:
            reader_joined(user=user)
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part)).strip()
        if name:
            user.display_name = name[:150]
        picture = sociallogin.account.extra_data.get("picture") or sociallogin.account.extra_data \
            .get("avatar_url")
        if isinstance(picture, str) and picture.startswith("https://"):
            user.avatar_url = picture[:500]
        return user


def user_display(user) -> str:
    """How allauth's mails and pages name an account: its display name, never its login name."""
    return user.display_name
