"""`schemas.common.kept`: long-lived wire objects share one fields-set, and nothing else about them changes."""

from __future__ import annotations

from mockserver.schemas.common import kept
from mockserver.schemas.files import FileObject
from mockserver.schemas.models import Model


def _file(file_id: str) -> FileObject:
    return FileObject(id=file_id, bytes=3, created_at=1, filename="a.jsonl", purpose="fine-tune")


def test_kept_objects_share_one_set_of_every_field_and_dump_as_before() -> None:
    fresh, first, second = _file("file-1"), kept(_file("file-1")), kept(_file("file-2"))
    assert first.model_fields_set is second.model_fields_set == set(FileObject.model_fields)
    assert first.model_dump() == fresh.model_dump() and first.model_dump_json() == fresh.model_dump_json()
    assert first == fresh


def test_assigning_a_field_of_a_kept_object_changes_neither_the_shared_set_nor_the_other_objects() -> None:
    first, second = kept(Model(id="ft:a", created=1, owned_by="org")), kept(Model(id="ft:b", created=2, owned_by="o"))
    first.owned_by = "someone"
    assert second.owned_by == "o"
    assert first.model_fields_set == second.model_fields_set == set(Model.model_fields)
