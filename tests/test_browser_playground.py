"""The self-hosted playground in Chromium: GraphiQL runs under its strict CSP with every file
from Hearth, and a query runs."""

import os
import subprocess
import sys

import pytest

from tests.test_browser_blog import ARTIFACTS, ROOT, browser, free_port, page, wait_for  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playground_server(tmp_path_factory):
    """Hearth with the playground installed from npm (reusing var/playground when there)."""
    work = tmp_path_factory.mktemp("playground")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
           "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    installed = ROOT / "var" / "playground"
    reuse = (installed / "graphiql.min.js").exists()
    env["HEARTH_PLAYGROUND_DIR"] = str(installed if reuse else work / "assets")

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, text=True)

    if not reuse:
        manage("install_playground")
    manage("migrate", "--noinput")
    manage("seed_demo")
    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
                               "--noreload"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        wait_for(url + "?query=%7B__typename%7D")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_the_playground_runs_offline_under_its_csp(page, playground_server):  # noqa: F811
    origin = playground_server.rsplit("/graphql/", 1)[0]
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(VIOLATIONS)

    response = page.goto(playground_server)
    page.wait_for_selector(".graphiql-container")

    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.locator(".graphiql-execute-button").click()
    page.wait_for_function(
        "() => document.querySelector('.result-window')?.innerText.includes('commentCount')")
    assert "What a year of baking bread" in page.locator(".result-window").inner_text()
    assert page.evaluate("window.__violations") == []
    assert requested and all(url.startswith((origin, "data:")) for url in requested)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"))
