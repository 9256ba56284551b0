"""Seed state from a JSON file (`--fixtures`): files and fine-tuning jobs in chosen states, loaded at start and after
every reset.

Objects are created through the same code paths as API calls and then moved through the legal path to their
state, so a seeded job has the events, checkpoints and model that a job which lived through it would have.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from mockserver.auth import DEFAULT_PROJECT
from mockserver.errors import APIError
from mockserver.schemas.files import FilePurpose
from mockserver.schemas.fine_tuning import CreateFineTuningJob, JobError

if TYPE_CHECKING:
    from mockserver.services import Services


class SeedError(ValueError):
    """A fixtures file that cannot be loaded; the message says which entry and why."""


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    project: str | None = None
    filename: str
    purpose: FilePurpose
    content: str | None = None
    path: str | None = None


class SeedJob(BaseModel):
    # The rest of an entry is the create request, validated as the API would.
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    project: str | None = None
    status: str = "validating_files"
    error: JobError | None = None
    scenario: str | None = None


class SeedState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str = DEFAULT_PROJECT
    files: list[SeedFile] = []
    fine_tuning_jobs: list[SeedJob] = []


@dataclass(frozen=True)
class Seed:
    """A fixtures file read and checked once; applied at start and after every reset, without reading it again."""

    source: Path
    state: SeedState
    contents: tuple[bytes, ...]  # one per entry of state.files


def read_seed(path: Path) -> Seed:
    try:
        state = SeedState.model_validate(json.loads(path.read_text()))
    except OSError as exc:
        raise SeedError(f"cannot read fixtures {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise SeedError(f"fixtures {path} are not valid: {exc}") from None
    contents = []
    for index, entry in enumerate(state.files):
        if (entry.content is None) == (entry.path is None):
            raise SeedError(f"{path}: files[{index}] needs exactly one of 'content' or 'path'")
        if entry.path is not None:
            try:
                contents.append((path.parent / entry.path).read_bytes())
            except OSError as exc:
                raise SeedError(f"{path}: files[{index}]: cannot read {entry.path}: {exc.strerror}") from None
        else:
            contents.append((entry.content or "").encode())
    ids = [entry.id for entry in state.files if entry.id] + [job.id for job in state.fine_tuning_jobs if job.id]
    duplicates = sorted({object_id for object_id in ids if ids.count(object_id) > 1})
    if duplicates:
        raise SeedError(f"{path}: ids given more than once: {', '.join(duplicates)}")
    return Seed(path, state, tuple(contents))


def apply_seed(services: Services, seed: Seed) -> None:
    state, path = seed.state, seed.source
    at = services.clock.now()
    for entry, content in zip(state.files, seed.contents, strict=True):
        services.files.create(
            entry.project or state.project,
            filename=entry.filename,
            purpose=entry.purpose,
            content=content,
            at=at,
            file_id=entry.id,
        )
    for index, job in enumerate(state.fine_tuning_jobs):
        extra: dict[str, Any] = dict(job.model_extra or {})
        try:
            request = CreateFineTuningJob.model_validate(extra)
            created = services.fine_tuning.create(
                job.project or state.project, request, scenario=job.scenario, job_id=job.id
            )
            if job.status != created.status:
                services.fine_tuning.force(created.id, job.status, error=job.error)
        except ValidationError as exc:
            raise SeedError(f"{path}: fine_tuning_jobs[{index}]: {exc}") from None
        except APIError as exc:
            raise SeedError(f"{path}: fine_tuning_jobs[{index}]: {exc.message}") from None
