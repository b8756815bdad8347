"""The self-hosted playground in Chromium: GraphiQL runs under its strict CSP with every file
from Hearth, and a query runs."""

import os

import pytest

from tests.support.browser import ARTIFACTS, ROOT, manage, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def playground_server(tmp_path_factory):
    """Hearth with the playground installed from npm (reusing var/playground when there)."""
    work = tmp_path_factory.mktemp("playground")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
           "HEARTH_MEDIA_ROOT": str(work / "media"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    installed = ROOT / "var" / "playground"
    reuse = (installed / "graphiql.min.js").exists()
    env["HEARTH_PLAYGROUND_DIR"] = str(installed if reuse else work / "assets")

    if not reuse:
        manage(env, "install_playground")
    with serving(env) as url:
        yield url


VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_the_playground_runs_offline_under_its_csp(page, playground_server):
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
