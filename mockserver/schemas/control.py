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
