"""Shapes of the control API (`/_mock`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockserver.schemas.batches import BatchError
from mockserver.schemas.common import Request, Seconds
from mockserver.schemas.evals import EvalRunError
from mockserver.schemas.fine_tuning import JobError


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ClockState(BaseModel):
    mode: Literal["real", "manual"]
    now: float


class Advance(Request):
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


class ForceJobTransition(Request):
    status: str
    error: JobError | None = None


class ForceBatchTransition(Request):
    status: str
    errors: list[BatchError] | None = None


class ForceRunTransition(Request):
    status: str
    error: EvalRunError | None = None
