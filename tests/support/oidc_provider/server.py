"""Start the test OpenID Connect provider as a process of its own: a fresh SQLite database, an
RS256 key made now, people and one client application, on a free port."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]

SETUP = """
import json, os, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from oauth2_provider.models import Application
call_command("migrate", verbosity=0)
spec = json.loads(os.environ["OIDC_PROVIDER_SPEC"])
for person in spec["people"]:
    User.objects.create_user(person["username"], person["email"], person["password"],
                             first_name=person["first_name"], last_name=person["last_name"])
Application.objects.create(
    name="Hearth", client_id=spec["client_id"], client_secret=spec["client_secret"],
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=spec["redirect_uri"], algorithm=Application.RS256_ALGORITHM,
    skip_authorization=False)
"""


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class OidcProvider:
    """`with OidcProvider(...) as provider:` runs it; `provider.issuer` is its issuer URL."""

    def __init__(self, *, port: int, database: Path, redirect_uri: str, people: list[dict],
                 client_id: str = "hearth", client_secret: str = "hearth-client-secret"):
        self.port, self.client_id, self.client_secret = port, client_id, client_secret
        self.issuer = f"http://127.0.0.1:{port}/o"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.support.oidc_provider.settings",
                    "OIDC_PROVIDER_DB": str(database), "OIDC_ISSUER": self.issuer,
                    "OIDC_RSA_PRIVATE_KEY": private_key_pem(),
                    "OIDC_PROVIDER_SPEC": json.dumps({
                        "people": people, "client_id": client_id,
                        "client_secret": client_secret, "redirect_uri": redirect_uri})}
        self.process = None

    def __enter__(self) -> "OidcProvider":
        subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}",
             "--noreload"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        url = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - local
                    assert json.load(answer)["issuer"] == self.issuer
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
