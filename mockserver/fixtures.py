"""Fixtures (`--fixtures`): objects in chosen states, loaded at start and after every reset.

The file holds `files` and one list per kind that can be seeded, named as the kind is (`fine_tuning_jobs`). The
format is derived from the kinds' registrations. Objects are created through the same code paths as API calls and
then moved through the legal path to their status, so a seeded job has the events, checkpoints and model that a job
which lived through it would have.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from mockserver.auth import DEFAULT_PROJECT
from mockserver.errors import APIError
from mockserver.files import Files
from mockserver.kinds import KINDS
from mockserver.kinds.kind import Kind
from mockserver.lifecycles.base import Lifecycle
from mockserver.schemas.files import FilePurpose

SEEDABLE: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.seedable)


class FixturesError(ValueError):
    """A fixtures file that cannot be loaded; the message says which entry and why."""


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    project: str | None = None
    filename: str
    purpose: FilePurpose
    content: str | None = None
    path: str | None = None


class ObjectEntry(BaseModel):
    """An object of a kind: where it lives and what it becomes; the rest of the entry is its create request and the
    details of its outcome (a failed job's `error`), validated as the API and the control API would."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    project: str | None = None
    status: str | None = None
    scenario: str | None = None


FixturesFile = create_model(  # type: ignore[call-overload]
    "FixturesFile",
    __config__=ConfigDict(extra="forbid"),
    project=(str, DEFAULT_PROJECT),
    files=(list[FileEntry], []),
    **{kind.name: (list[ObjectEntry], []) for kind in SEEDABLE},
)


@dataclass(frozen=True)
class LoadedFixtures:
    """A fixtures file read and checked once; applied at start and after every reset, without reading it again."""

    source: Path
    state: Any  # a FixturesFile
    contents: tuple[bytes, ...]  # one per entry of state.files


def _objects(state: Any, kind: Kind) -> list[ObjectEntry]:
    entries: list[ObjectEntry] = getattr(state, kind.name)
    return entries


def _check_ids(path: Path, state: Any) -> None:
    ids: list[str] = [entry.id for entry in state.files if entry.id]
    for kind in SEEDABLE:
        for index, entry in enumerate(_objects(state, kind)):
            if entry.id is None:
                continue
            if not kind.owns(entry.id):
                raise FixturesError(
                    f"{path}: {kind.name}[{index}]: id {entry.id!r} is not a {kind.noun} id (they start with "
                    f"{kind.id_prefix!r})"
                )
            ids.append(entry.id)
    duplicates = sorted({object_id for object_id in ids if ids.count(object_id) > 1})
    if duplicates:
        raise FixturesError(f"{path}: ids given more than once: {', '.join(duplicates)}")


def read_fixtures(path: Path) -> LoadedFixtures:
    try:
        state: Any = FixturesFile.model_validate(json.loads(path.read_text()))
    except OSError as exc:
        raise FixturesError(f"cannot read fixtures {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise FixturesError(f"fixtures {path} are not valid: {exc}") from None
    contents = []
    for index, entry in enumerate(state.files):
        if (entry.content is None) == (entry.path is None):
            raise FixturesError(f"{path}: files[{index}] needs exactly one of 'content' or 'path'")
        if entry.path is not None:
            try:
                contents.append((path.parent / entry.path).read_bytes())
            except OSError as exc:
                raise FixturesError(f"{path}: files[{index}]: cannot read {entry.path}: {exc.strerror}") from None
        else:
            contents.append((entry.content or "").encode())
    _check_ids(path, state)
    return LoadedFixtures(path, state, tuple(contents))


def _seed_object(lifecycle: Lifecycle[Any, Any], project: str, entry: ObjectEntry) -> None:
    kind = lifecycle.kind
    fields = dict(entry.model_extra or {})
    detail_names = set(kind.transition_body.model_fields) - {"status"}
    details = {name: fields.pop(name) for name in detail_names if name in fields}
    created = lifecycle.seed(project, fields, object_id=entry.id, scenario=entry.scenario)
    if entry.status is not None and entry.status != created.status:
        body = kind.transition_body.model_validate({"status": entry.status, **details})
        lifecycle.force(created.id, body.status, **body.details())


def apply_fixtures(
    fixtures: LoadedFixtures, *, files: Files, lifecycles: Mapping[str, Lifecycle[Any, Any]], now: float
) -> None:
    state, path = fixtures.state, fixtures.source
    for entry, content in zip(state.files, fixtures.contents, strict=True):
        files.create(
            entry.project or state.project,
            filename=entry.filename,
            purpose=entry.purpose,
            content=content,
            at=now,
            file_id=entry.id,
        )
    for kind in SEEDABLE:
        for index, entry in enumerate(_objects(state, kind)):
            try:
                _seed_object(lifecycles[kind.name], entry.project or state.project, entry)
            except ValidationError as exc:
                raise FixturesError(f"{path}: {kind.name}[{index}]: {exc}") from None
            except APIError as exc:
                raise FixturesError(f"{path}: {kind.name}[{index}]: {exc.message}") from None
