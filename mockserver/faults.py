"""Fault injection (`/_mock/faults`): make chosen OpenAI routes fail the way the real service sometimes does, so
that a client's retries, timeouts and error handling can be tested.

A rule matches a method (or any) and a path pattern (`*` any characters, matched against the path with any
`/openai` prefix removed, so `/v1/...` patterns cover both URL styles). It applies to the next `times` matching
requests (or all), to a `rate` share of them (seeded), and answers an error `status` (with `retry_after`), waits
`delay` seconds of real time first, or drops the connection mid-response.
"""

from __future__ import annotations

import fnmatch
import random
from typing import Annotated, Literal

from pydantic import BaseModel, model_validator

from mockserver.errors import NotFoundError
from mockserver.schemas.common import RequestBody, Seconds, bounded
from mockserver.validation import custom_error


def _as_openai_path(path: str) -> str:
    """A request's path as the OpenAI style writes it, so that one `/v1/...` rule covers every URL style: Azure's
    v1 surface (`/openai/v1/...`) and its classic one (`/openai/...`) alike."""
    if path.startswith("/openai/v1/"):
        return path[len("/openai") :]
    if path.startswith("/openai/"):
        return "/v1" + path[len("/openai") :]
    return path


class CreateFault(RequestBody):
    method: Literal["GET", "POST", "DELETE", "PATCH", "PUT"] | None = None
    path: str
    status: Annotated[int, bounded(integer=True, minimum=400, maximum=599)] | None = None
    retry_after: Seconds | None = None
    delay: Annotated[float, bounded(integer=False, minimum=0, maximum=600)] | None = None
    drop: bool = False
    times: Annotated[int, bounded(integer=True, minimum=1)] | None = None
    rate: Annotated[float, bounded(integer=False, minimum=0, maximum=1)] = 1.0

    @model_validator(mode="after")
    def _does_something(self) -> CreateFault:
        if self.status is None and self.delay is None and not self.drop:
            raise custom_error("invalid_value", "A fault needs at least one of 'status', 'delay' or 'drop'.")
        if self.status is not None and self.drop:
            raise custom_error("invalid_value", "A fault either answers a 'status' or drops the connection, not both.")
        return self


class Fault(BaseModel):
    id: str
    object: Literal["mock.fault"] = "mock.fault"
    method: str | None
    path: str
    status: int | None
    retry_after: float | None
    delay: float | None
    drop: bool
    rate: float
    remaining: int | None  # null: no limit
    hits: int = 0


class Faults:
    def __init__(self, seed: int | None) -> None:
        self._rules: dict[str, Fault] = {}
        self._seed = seed
        self._random = random.Random(seed)
        self._count = 0

    def add(self, request: CreateFault) -> Fault:
        self._count += 1
        fault = Fault(id=f"fault_{self._count}", remaining=request.times, **request.model_dump(exclude={"times"}))
        self._rules[fault.id] = fault
        return fault

    def all(self) -> list[Fault]:
        return list(self._rules.values())

    def remove(self, fault_id: str) -> Fault:
        fault = self._rules.pop(fault_id, None)
        if fault is None:
            raise NotFoundError(f"No such fault: {fault_id}", param="fault_id", code="fault_not_found")
        return fault

    def clear(self) -> None:
        self._rules.clear()
        self._random = random.Random(self._seed)

    def match(self, method: str, path: str) -> Fault | None:
        """The first rule that takes this request (and is spent by it)."""
        if not self._rules:  # most servers never have one, and every API request asks
            return None
        path = _as_openai_path(path)
        for fault in self._rules.values():
            if fault.method not in (None, method) or not fnmatch.fnmatchcase(path, fault.path):
                continue
            if fault.rate < 1 and self._random.random() >= fault.rate:
                continue
            fault.hits += 1
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    del self._rules[fault.id]
            return fault
        return None
