"""`manage.py load_trusted_documents`: a persisted-documents.json as graphql-codegen's client
preset writes it, loaded whole or not at all."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from cms.models import TrustedDocument

TITLES = "query Titles { posts(first: 5) { edges { node { title } } } }"
COUNT = "query Count { posts { totalCount } }"
VIEWER = "query Viewer { viewer { id } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load(tmp_path, documents, *args) -> str:
    path = tmp_path / "persisted-documents.json"
    path.write_text(documents if isinstance(documents, str) else json.dumps(documents))
    out = io.StringIO()
    call_command("load_trusted_documents", str(path), *args, stdout=out)
    return out.getvalue()


def stored() -> dict[str, str]:
    return dict(TrustedDocument.objects.values_list("document_id", "body"))


@pytest.mark.django_db
def test_documents_load_once_and_a_second_run_changes_nothing(tmp_path):
    documents = {f"sha256:{sha256(TITLES)}": TITLES, sha256(COUNT): COUNT}  # prefixed or bare
    assert "Loaded 2 trusted documents (2 new, 0 already known)" in load(tmp_path, documents)
    expected = {f"sha256:{sha256(TITLES)}": TITLES, f"sha256:{sha256(COUNT)}": COUNT}
    assert stored() == expected
    assert "(0 new, 2 already known), removed 0" in load(tmp_path, documents)
    assert stored() == expected


@pytest.mark.django_db
def test_replace_removes_what_the_file_no_longer_holds(tmp_path):
    load(tmp_path, {f"sha256:{sha256(TITLES)}": TITLES, f"sha256:{sha256(COUNT)}": COUNT})
    load(tmp_path, {f"sha256:{sha256(VIEWER)}": VIEWER})
    assert len(stored()) == 3
    output = load(tmp_path, {f"sha256:{sha256(VIEWER)}": VIEWER}, "--replace")
    assert "removed 2" in output
    assert stored() == {f"sha256:{sha256(VIEWER)}": VIEWER}


@pytest.mark.django_db
@pytest.mark.parametrize(("documents", "named"), [
    ({f"sha256:{sha256(COUNT)}": TITLES}, f"sha256:{sha256(COUNT)}"),  # not its hash
    ({"md5:0123": TITLES}, "md5:0123"),
    ({"Titles": TITLES}, "Titles"),
    ({f"sha256:{sha256('{ nope }')}": "{ nope }"}, f"sha256:{sha256('{ nope }')}"),  # invalid
    ({f"sha256:{sha256('{ posts ')}": "{ posts "}, f"sha256:{sha256('{ posts ')}"),  # no parse
    ({f"sha256:{sha256(TITLES)}": 5}, f"sha256:{sha256(TITLES)}"),
])
def test_a_file_with_a_bad_document_loads_nothing_and_names_it(tmp_path, documents, named):
    documents = {f"sha256:{sha256(VIEWER)}": VIEWER, **documents}
    with pytest.raises(CommandError) as refused:
        load(tmp_path, documents)
    assert named in str(refused.value)
    assert stored() == {}


@pytest.mark.django_db
@pytest.mark.parametrize("content", ["{", "[]", '"x"'])
def test_a_file_that_is_not_a_json_object_is_refused(tmp_path, content):
    with pytest.raises(CommandError):
        load(tmp_path, content)
    assert stored() == {}


@pytest.mark.django_db
def test_the_store_is_bounded(tmp_path, settings):
    load(tmp_path, {f"sha256:{sha256(TITLES)}": TITLES})
    settings.HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS = len(TITLES) + len(COUNT) - 1
    with pytest.raises(CommandError, match="HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS"):
        load(tmp_path, {f"sha256:{sha256(COUNT)}": COUNT})
    assert list(stored()) == [f"sha256:{sha256(TITLES)}"]
    settings.HEARTH_MAX_QUERY_CHARS = len(COUNT) - 1
    with pytest.raises(CommandError, match="HEARTH_MAX_QUERY_CHARS"):
        load(tmp_path, {f"sha256:{sha256(COUNT)}": COUNT}, "--replace")
    assert list(stored()) == [f"sha256:{sha256(TITLES)}"]
