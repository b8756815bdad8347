"""Sign-in settings read from the environment (issue 16): the sites a reader may sign in with
(GitHub, Google, one OpenID Connect issuer; more can be added in the admin under *Social
applications*), and the addresses of the pages on the reader's site that account mails link to."""

from collections.abc import Mapping


def providers(environ: Mapping[str, str]) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for the providers the environment configures."""
    configured: dict = {}
    for name in ("github", "google"):
        client_id = environ.get(f"HEARTH_{name.upper()}_CLIENT_ID", "")
        if client_id:
            configured[name] = {"APPS": [{
                "client_id": client_id, "secret": environ.get(f"HEARTH_{name.upper()}_SECRET", ""),
            }]}
    if "github" in configured:
        configured["github"]["SCOPE"] = ["read:user", "user:email"]
    issuer = environ.get("HEARTH_OIDC_ISSUER", "")
    if issuer:
        configured["openid_connect"] = {"APPS": [{
            "provider_id": environ.get("HEARTH_OIDC_ID", "oidc"),
            "name": environ.get("HEARTH_OIDC_NAME", "OpenID Connect"),
            "client_id": environ.get("HEARTH_OIDC_CLIENT_ID", ""),
            "secret": environ.get("HEARTH_OIDC_SECRET", ""),
            "settings": {"server_url": issuer},
        }], "OAUTH_PKCE_ENABLED": True}
    return configured


def frontend_urls(site: str) -> dict[str, str]:
    """allauth's HEADLESS_FRONTEND_URLS: with the reader's site configured, the links in account
    mails (verify, reset) and the return from another site's sign-in open that site, which
    finishes them over GraphQL; without, Hearth's own pages under /accounts/ do."""
    if not site:
        return {}
    joiner = "&" if "?" in site else "?"
    return {
        "account_confirm_email": f"{site}{joiner}verify={{key}}",
        "account_reset_password_from_key": f"{site}{joiner}reset={{key}}",
        "account_reset_password": f"{site}{joiner}account=forgot",
        "account_signup": f"{site}{joiner}account=signup",
        "socialaccount_login_error": f"{site}{joiner}account=error",
    }
