"""The benchmark harness itself: seeded people have public slugs made as Hearth makes them (so
the hostile benchmark's enumeration row measures Hearth, not the seed), and a run's commit is
marked dirty by code changes but not by the benchmarks' own output files."""

import random
import subprocess

import pytest

from benchmarks import run
from benchmarks.datasets import make_users


@pytest.mark.django_db
def test_seeded_readers_have_public_slugs_never_their_login_names():
    users = make_users(random.Random(7), 30)
    assert len({user.slug for user in users}) == 30
    for user in users:
        assert user.slug and user.slug not in user.login_spellings()
        assert user.slug == user.unique_slug()


def git(repo, *args) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_commit_ignores_the_benchmarks_own_reports(tmp_path, monkeypatch):
    monkeypatch.delenv("HEARTH_BENCH_COMMIT", raising=False)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    (tmp_path / "benchmarks").mkdir()
    files = ["BENCHMARKS.md", "benchmarks/HOSTILE.md", "benchmarks/hostile.py"]
    for name in files:
        (tmp_path / name).write_text("before\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", *files)
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    (tmp_path / "BENCHMARKS.md").write_text("a new run\n")
    (tmp_path / "benchmarks/HOSTILE.md").write_text("a new run\n")
    assert "uncommitted" not in run.commit()
    (tmp_path / "benchmarks/hostile.py").write_text("changed\n")
    assert run.commit().endswith(" + uncommitted changes")


def test_graphene_environment_installs_what_hearth_needs_but_strawberry():
    """The graphene contender imports cms/ and config/ in its own virtualenv: every dependency
    of Hearth's but Strawberry and its graphql-core, at the same version."""
    import re
    import tomllib

    root = run.ROOT
    hearth = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {d for d in hearth if not re.match(r"(strawberry|graphql-core)", d)}
    lines = (root / "benchmarks" / "graphene" / "requirements.txt").read_text().splitlines()
    listed = {line for line in lines if line and not line.startswith("#")}
    assert wanted <= listed, wanted - listed
    assert not {line for line in listed if re.match(r"(strawberry|graphql-core==3\.3)", line)}
