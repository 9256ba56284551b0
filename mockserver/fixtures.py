"""Fixtures (`--fixtures`): objects in chosen states, with chosen ids, loaded at start and after every reset.

The file holds `files`, `evals`, `webhook_endpoints`, and one list per kind that can be seeded, named as the kind
is (`fine_tuning_jobs`, `batches`, `eval_runs`, …): its format is derived from the kinds' registrations, and its
JSON Schema (`mockserver fixtures schema`, shipped as `mockserver/fixtures.schema.json`) from the models below.
Objects are created through the same code paths as API calls and then moved through the legal path to their
status, so a seeded job has the events, checkpoints and model that a job which lived through it would have.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from mockserver.auth import DEFAULT_PROJECT
from mockserver.errors import APIError
from mockserver.files import Files
from mockserver.kinds import KINDS
from mockserver.kinds.eval_runs.lifecycle import EvalRunLifecycle
from mockserver.kinds.eval_runs.schemas import CreateEval
from mockserver.kinds.kind import Kind
from mockserver.lifecycles.base import Lifecycle
from mockserver.schemas.files import FilePurpose
from mockserver.schemas.webhook_endpoints import CreateWebhookEndpoint
from mockserver.webhooks.endpoints import Endpoints

SEEDABLE: tuple[Kind, ...] = tuple(kind for kind in KINDS if kind.seedable)
SCHEMA_PATH = Path(__file__).parent / "fixtures.schema.json"


class FixturesError(ValueError):
    """A fixtures file that cannot be loaded; the message says which entry, on which line, and why."""


class Entry(BaseModel):
    """What every entry may say: its id (else one is made) and its project (else the file's)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="The object's id, in its kind's format; made if left out.")
    project: str | None = Field(default=None, description="The project that owns it; the file's `project` if left out.")


class FileEntry(Entry):
    filename: str
    purpose: FilePurpose
    content: str | None = Field(default=None, description="The file's text (exactly one of `content` and `path`).")
    path: str | None = Field(default=None, description="A file to read, relative to the fixtures file.")


class EvalEntry(Entry):
    """An eval: the rest of the entry is its create request (`data_source_config`, `testing_criteria`, …)."""

    model_config = ConfigDict(extra="allow")


class WebhookEndpointEntry(Entry):
    """An endpoint of the real webhook endpoints API, in its project; `secret` chooses its signing secret."""

    url: str
    name: str
    event_types: list[str]
    secret: str | None = None


class ObjectEntry(Entry):
    """An object of a kind: where it lives and what it becomes; the rest of the entry is its create request and the
    details of its outcome (a failed job's `error`), validated as the API and the control API would."""

    model_config = ConfigDict(extra="allow")

    status: str | None = Field(default=None, description="Where it is moved, along the legal path, once created.")
    scenario: str | None = Field(default=None, description="Its outcome, as `x-mock-scenario` would choose it.")


FixturesFile = create_model(  # type: ignore[call-overload]
    "FixturesFile",
    __config__=ConfigDict(extra="forbid"),
    project=(str, DEFAULT_PROJECT),
    files=(list[FileEntry], []),
    evals=(list[EvalEntry], []),
    webhook_endpoints=(list[WebhookEndpointEntry], []),
    **{kind.name: (list[ObjectEntry], []) for kind in SEEDABLE},
)


def json_schema() -> dict[str, Any]:
    """The fixtures file's JSON Schema (what `mockserver/fixtures.schema.json` ships)."""
    schema: dict[str, Any] = FixturesFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mockserver fixtures file"
    return schema


@dataclass(frozen=True)
class LoadedFixtures:
    """A fixtures file read and checked once; applied at start and after every reset, without reading it again."""

    source: Path
    state: Any  # a FixturesFile
    contents: tuple[bytes, ...]  # one per entry of state.files
    text: str


def _line(text: str, object_id: str, occurrence: int = 1) -> str:
    """Where an id is written in the file (its `occurrence`-th time), for the error that names it."""
    at = -1
    for _ in range(occurrence):
        at = text.find(json.dumps(object_id), at + 1)
    return "" if at < 0 else f" (line {text.count(chr(10), 0, at) + 1})"


# The id format of what is not a kind: (section, prefix).
_OTHER_IDS = (("files", "file-"), ("evals", "eval_"), ("webhook_endpoints", "we_"))


def _check_ids(path: Path, text: str, state: Any) -> None:
    """Ids in their kind's format, and each given once; refused naming the entry, its line and the reason."""
    sections = [(name, prefix) for name, prefix in _OTHER_IDS] + [(kind.name, kind.id_prefix) for kind in SEEDABLE]
    seen: dict[str, str] = {}
    for section, prefix in sections:
        for index, entry in enumerate(getattr(state, section)):
            if entry.id is None:
                continue
            # Where in the file, found only for an error: a scan of the file for every entry would be quadratic.
            if not entry.id.startswith(prefix) or len(entry.id) == len(prefix):
                where = f"{path}: {section}[{index}]{_line(text, entry.id)}"
                raise FixturesError(
                    f"{where}: id {entry.id!r} is not in this kind's format (it starts with {prefix!r})"
                )
            if entry.id in seen:
                where = f"{path}: {section}[{index}]{_line(text, entry.id, 2)}"
                raise FixturesError(f"{where}: id {entry.id!r} is given more than once (first in {seen[entry.id]})")
            seen[entry.id] = f"{section}[{index}]"


def read_fixtures(path: Path) -> LoadedFixtures:
    try:
        text = path.read_text()
        state: Any = FixturesFile.model_validate(json.loads(text))
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
    _check_ids(path, text, state)
    return LoadedFixtures(path, state, tuple(contents), text)


def _seed_object(lifecycle: Lifecycle[Any, Any], project: str, entry: ObjectEntry) -> None:
    kind = lifecycle.kind
    fields = dict(entry.model_extra or {})
    detail_names = set(kind.transition_body.model_fields) - {"status"}
    details = {name: fields.pop(name) for name in detail_names if name in fields}
    created = lifecycle.seed(project, fields, object_id=entry.id, scenario=entry.scenario)
    if entry.status is not None and entry.status != created.status:
        body = kind.transition_body.model_validate({"status": entry.status, **details})
        lifecycle.force(created.id, body.status, **body.details())


def _seed_endpoint(endpoints: Endpoints, project: str, entry: WebhookEndpointEntry) -> None:
    request = CreateWebhookEndpoint.model_validate(entry.model_dump(include={"url", "name", "event_types"}))
    endpoint = endpoints.create_in_project(project, request, endpoint_id=entry.id)
    if entry.secret is not None:
        endpoints.rotate(endpoint, entry.secret, keep_previous_for=0)


def apply_fixtures(
    fixtures: LoadedFixtures,
    *,
    files: Files,
    endpoints: Endpoints,
    lifecycles: Mapping[str, Lifecycle[Any, Any]],
    now: float,
) -> None:
    state, path, text = fixtures.state, fixtures.source, fixtures.text
    for entry, content in zip(state.files, fixtures.contents, strict=True):
        files.create(
            entry.project or state.project,
            filename=entry.filename,
            purpose=entry.purpose,
            content=content,
            at=now,
            file_id=entry.id,
        )
    runs = next(lifecycle for lifecycle in lifecycles.values() if isinstance(lifecycle, EvalRunLifecycle))
    steps: list[tuple[str, list[Any], Any]] = [
        (
            "evals",
            state.evals,
            lambda p, e: runs.create_eval(p, CreateEval.model_validate(e.model_extra), eval_id=e.id),
        ),
        ("webhook_endpoints", state.webhook_endpoints, lambda p, e: _seed_endpoint(endpoints, p, e)),
        *(
            (kind.name, getattr(state, kind.name), lambda p, e, lc=lifecycles[kind.name]: _seed_object(lc, p, e))
            for kind in SEEDABLE
        ),
    ]
    for section, entries, seed in steps:
        for index, entry in enumerate(entries):
            try:
                seed(entry.project or state.project, entry)
            except (ValidationError, APIError) as exc:
                where = f"{path}: {section}[{index}]{_line(text, entry.id) if entry.id else ''}"
                message = exc.message if isinstance(exc, APIError) else str(exc)
                raise FixturesError(f"{where}: {message}") from None
