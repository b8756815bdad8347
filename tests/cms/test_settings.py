"""Settings come from the environment; production refuses to start without a SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def import_settings(**env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run([sys.executable, "-c", "import config.settings as s; print(s.DEBUG)"],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = import_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_settings_refuse_an_empty_secret_key_when_debug_is_off():
    result = import_settings(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_settings_start_in_production_with_a_secret_key():
    result = import_settings(SECRET_KEY="a-long-random-production-secret-" + "x" * 20)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_settings_start_in_development_without_a_secret_key():
    result = import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_readme_documents_every_environment_variable():
    import re

    source = "".join(path.read_text() for path in (ROOT / "config").glob("*.py"))
    names = set(re.findall(r'(?:env_bool|env_int|env_list|os\.environ\.get|environ\.get)\(\s*'
                           r'f?"([A-Z_]+)"', source))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= names
    readme = (ROOT / "README.md").read_text()
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
