"""Shapes of the control API (`/_mock`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockserver.schemas.common import RequestBody, Seconds


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ClockState(BaseModel):
    mode: Literal["real", "manual"]
    now: float


class Advance(RequestBody):
    seconds: Seconds


class TransitionRecord(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    object: str
    id: str
    from_: str = Field(alias="from")
    to: str
    at: int


class Advanced(BaseModel):
    now: float
    transitions: list[TransitionRecord]


class JournalEntry(BaseModel):
    """One API request as `GET /_mock/requests` shows it; `status` 0 means the connection was dropped."""

    object: Literal["mock.request"] = "mock.request"
    id: str
    method: str
    path: str
    query: str
    status: int
    project: str | None
    at: float
    duration_ms: float
    body: Any = None


class ForceTransition(RequestBody):
    """A forced transition's body: the target status; each kind adds the details of its outcomes (an error)."""

    status: str

    def details(self) -> dict[str, Any]:
        """What the body says beside the status, as the lifecycle takes it (`error=...`)."""
        return {name: getattr(self, name) for name in type(self).model_fields if name != "status"}


class TimelineStep(BaseModel):
    """One transition of an object, as the inspector's timeline shows it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    at: float


class MockObject(BaseModel):
    """An object of any kind as `GET /_mock/objects` lists it: what the inspector shows and can force."""

    kind: str  # the registry's name, e.g. "fine_tuning_jobs"
    object: str  # what transitions call it, e.g. "fine_tuning.job"
    id: str
    project: str
    status: str
    created_at: int | None
    metadata: dict[str, str] | None
    # Statuses `POST /_mock/objects/{id}/transition` can move it to (each has a legal path from `status`).
    reachable: list[str]
    timeline: list[TimelineStep]
