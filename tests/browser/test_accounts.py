"""Reader accounts in a real Chromium through the example blog, against a real Hearth server that
sends its mail over SMTP to a real server of the test's (aiosmtpd), and signs readers in with a
real OpenID Connect provider started by the test (django-oauth-toolkit, its own process and
database): sign up, the link in the mail, sign in, comment as yourself, like, who liked it, a
forgotten password; sign in with another site, creating an account or linking one by a
verified address only."""

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from tests.support.browser import ARTIFACTS, DEMO_SLUG, ROOT, free_port, manage, serving
from tests.support.oidc_provider.server import OidcProvider
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.browser

PASSWORD = "crusty-sourdough-2026"
PROVIDER_PEOPLE = [
    {"username": "olivia", "password": "provider-pass-1", "email": "olivia@example.org",
     "first_name": "Olivia", "last_name": "Provider"},
    {"username": "rita", "password": "provider-pass-2", "email": "rita.linked@example.org",
     "first_name": "Rita", "last_name": "Elsewhere"},
    {"username": "mallory", "password": "provider-pass-3",
     "email": "victim@unverified.example", "first_name": "Mallory", "last_name": "M"},
]


@pytest.fixture(scope="module")
def mailserver():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hearth(site, mailserver, tmp_path_factory):
    """Hearth (runserver, its own SQLite database), its mail going to `mailserver`, signing in
    with the local OpenID Connect provider, and mails linking to the blog."""
    root = tmp_path_factory.mktemp("accounts")
    port, provider_port = free_port(), free_port()
    hearth_url = f"http://127.0.0.1:{port}/graphql/"
    provider = OidcProvider(port=provider_port, database=root / "provider.sqlite3",
                            redirect_uri=f"http://127.0.0.1:{port}/accounts/oidc/local/login/"
                                         "callback/", people=PROVIDER_PEOPLE)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{root / 'hearth.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(root / "media"),
           "DJANGO_SETTINGS_MODULE": "tests.support.smtp_settings",
           "HEARTH_TEST_SMTP_PORT": str(mailserver.port),
           "CORS_ALLOWED_ORIGINS": site, "CSRF_TRUSTED_ORIGINS": site,
           "HEARTH_ACCOUNT_SITE_URL": f"{site}/?api={hearth_url}&slug={DEMO_SLUG}",
           "HEARTH_OIDC_ISSUER": provider.issuer, "HEARTH_OIDC_ID": "local",
           "HEARTH_OIDC_NAME": "Local ID", "HEARTH_OIDC_CLIENT_ID": provider.client_id,
           "HEARTH_OIDC_SECRET": provider.client_secret,
           "HEARTH_COMMENT_FLOOD_SECONDS": "0", "HEARTH_MUTATION_RATE_LIMIT": "10000",
           "PYTHONUNBUFFERED": "1"}
    with provider, serving(env, port=port) as url, worker(env):
        assert url == hearth_url
        yield {"url": url, "manage": lambda *args: manage(env, *args)}


@contextmanager
def worker(env: dict):
    """The outbox's worker (`manage.py run_webhooks`), its own process: the server only queues
    mail, this sends it."""
    process = subprocess.Popen([sys.executable, "manage.py", "run_webhooks", "--interval",
                                "0.2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def mail_to(server: SmtpServer, address: str, count: int = 1, seconds: float = 20):
    """The `count`-th message delivered to `address`, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while len(server.to(address)) < count:
        assert time.monotonic() < deadline, f"no mail to {address}: {server.received}"
        time.sleep(0.1)
    return server.to(address)[count - 1]


def open_blog(page, site, hearth):
    page.goto(f"{site}/?api={hearth['url']}&slug={DEMO_SLUG}")
    page.wait_for_selector("body[data-ready]")


def shell(hearth, code: str) -> str:
    """The last line `code` printed, run by `manage.py shell` against the server's database."""
    return hearth["manage"]("shell", "-c", code).strip().splitlines()[-1]


def test_sign_up_verify_sign_in_comment_like_and_reset_the_password(page, site, hearth,
                                                                    mailserver):
    open_blog(page, site, hearth)
    bar = page.locator("#account-bar")
    bar.get_by_role("button", name="Sign up").click()
    form = page.locator('form[data-form="sign-up"]')
    form.locator("input[name=displayName]").fill("Pat Reader")
    form.locator("input[name=email]").fill("pat@example.org")
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button", name="Sign up").click()
    message = page.locator(".account-message")
    message.filter(has_text="we sent a link").wait_for()

    verification = mail_to(mailserver, "pat@example.org")
    assert verification["To"] == "pat@example.org"
    (link,) = [u for u in verification.links if "verify=" in u]
    assert link.startswith(site)
    page.goto(link)
    message.filter(has_text="is confirmed").wait_for()
    assert "verify=" not in page.url
    signin = page.locator('form[data-form="sign-in"]')
    signin.locator("input[name=email]").fill("pat@example.org")
    signin.locator("input[name=password]").fill(PASSWORD)
    signin.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#account-bar .signed-in-as")
    page.wait_for_selector("body[data-ready=true]")
    assert bar.locator(".signed-in-as").inner_text() == "Signed in as Pat Reader"

    # The comment form asks for no name or e-mail; the first comment waits for a moderator.
    comment_form = page.locator("form.comment-form")
    assert comment_form.locator("input[name=authorEmail]").count() == 0
    assert "Pat Reader" in comment_form.locator(".form-signed-in").inner_text()
    comment_form.locator("textarea[name=body]").fill("Signed in and baking along.")
    comment_form.get_by_role("button", name="Post comment").click()
    mine = page.locator("li.comment", has_text="Signed in and baking along.")
    mine.locator(".pending-notice").wait_for()
    assert mine.locator(".comment-author").inner_text() == "Pat Reader"

    # Liking the post puts Pat among the people who liked it.
    page.locator(".post-like").click()
    page.wait_for_function("() => document.querySelector('.post-like').ariaPressed === 'true'")
    reactors = page.locator(".post-reactors")
    reactors.locator(".reactor-row .reactor[title='Pat Reader']").wait_for()
    likes = int(page.locator(".post-likes").get_attribute("data-count"))
    liked_by = reactors.get_by_role("button", name=re.compile("Liked by"))
    assert liked_by.inner_text() == f"Liked by {likes} people"
    liked_by.click()
    listed = reactors.locator(".reactor-list")
    listed.locator(".reactor-name", has_text="Pat Reader").wait_for()
    assert "others" in listed.inner_text() or "other" in listed.inner_text()  # the guests
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog-signed-in-reader.png"), full_page=True)
    assert "pat@example.org" not in page.content()

    # Signing out, then back in with a new password after "forgot your password".
    bar.get_by_role("button", name="Sign out").click()
    bar.get_by_role("button", name="Sign in").wait_for()
    bar.get_by_role("button", name="Sign in").click()
    page.locator('form[data-form="sign-in"] a', has_text="Forgot").click()
    forgot = page.locator('form[data-form="forgot"]')
    forgot.locator("input[name=email]").fill("pat@example.org")
    forgot.get_by_role("button", name="Send me a link").click()
    message.filter(has_text="on its way").wait_for()
    reset_mail = mail_to(mailserver, "pat@example.org", count=2)
    (link,) = [u for u in reset_mail.links if "reset=" in u]
    page.goto(link)
    reset = page.locator('form[data-form="reset"]')
    reset.locator("input[name=password]").fill("new-" + PASSWORD)
    reset.get_by_role("button", name="Change password").click()
    message.filter(has_text="password is changed").wait_for()
    signin.locator("input[name=email]").fill("pat@example.org")
    signin.locator("input[name=password]").fill("new-" + PASSWORD)
    signin.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#account-bar .signed-in-as")
    assert shell(hearth, "from cms.models import User; "
                         "print(User.objects.get(email='pat@example.org').role)") == "subscriber"


def sign_in_with_provider(page, site, hearth, username: str, password: str):
    open_blog(page, site, hearth)
    page.locator("#account-bar").get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Sign in with Local ID").click()
    page.get_by_role("button", name="Continue").click()  # Hearth's page: a POST, with CSRF
    page.wait_for_selector("input[name=username]")  # the provider's own sign-in page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Log in to Local ID").click()
    page.locator("input[name=allow]").click()  # consent at the provider


def test_signing_in_with_another_site_creates_a_reader_account(page, site, hearth):
    sign_in_with_provider(page, site, hearth, "olivia", "provider-pass-1")
    page.wait_for_selector("#account-bar .signed-in-as")
    assert page.url.startswith(site)
    assert page.locator("#account-bar .signed-in-as").inner_text() == (
        "Signed in as Olivia Provider")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog-signed-in-with-provider.png"), full_page=True)
    assert shell(hearth, "from cms.models import User; u = User.objects.get(email="
                         "'olivia@example.org'); print(u.role, u.emailaddress_set.get().verified, "
                         "u.socialaccount_set.get().provider)") == "subscriber True local"


def test_a_verified_address_at_the_provider_links_the_existing_account(page, site,
                                                                        hearth):
    before = shell(hearth, """
from allauth.account.models import EmailAddress
from cms.models import User
user = User.objects.create_user('rita-local', 'rita.linked@example.org', 'pw-local-123456',
                                display_name='Rita Here')
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
print(User.objects.count())""")
    sign_in_with_provider(page, site, hearth, "rita", "provider-pass-2")
    page.wait_for_selector("#account-bar .signed-in-as")
    assert page.locator("#account-bar .signed-in-as").inner_text() == "Signed in as Rita Here"
    assert shell(hearth, "from cms.models import User; print(User.objects.count(), User.objects"
                         ".get(username='rita-local').socialaccount_set.count())") == (
        f"{before} 1")


def test_an_unverified_address_at_the_provider_never_takes_over_an_account(page, site,
                                                                           hearth):
    shell(hearth, """
from allauth.account.models import EmailAddress
from cms.models import User
user = User.objects.create_user('victim', 'victim@unverified.example', 'pw-victim-123456')
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)""")
    sign_in_with_provider(page, site, hearth, "mallory", "provider-pass-3")
    # allauth asks for the address to be verified (a mail goes to it, which only its owner
    # reads) instead of signing in as the account that has it.
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert shell(hearth, "from allauth.socialaccount.models import SocialAccount; "
                         "from cms.models import User; print(User.objects.filter(email__iexact="
                         "'victim@unverified.example').count(), SocialAccount.objects.filter("
                         "user__username='victim').count())") == "1 0"
    open_blog(page, site, hearth)
    assert page.locator("#account-bar .signed-in-as").count() == 0
