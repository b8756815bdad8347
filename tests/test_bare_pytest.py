"""`pytest` runs with no environment variables at all (tests/settings.py supplies DEBUG)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pytest_runs_with_an_empty_environment(tmp_path):
    test = "tests/api/test_error_codes.py::test_the_graphql_error_codes_are_the_domain_codes"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider"], cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, capture_output=True, text=True,
        timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout
