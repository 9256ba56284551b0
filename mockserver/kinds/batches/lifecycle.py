"""Batches: `validating` → `in_progress` → `finalizing` → `completed` | `failed`, `expired` at `expires_at`, and a
cancel that answers `cancelling` and reaches `cancelled` after the `batch.cancelling` phase.

Requests run in up to ten steps across `in_progress`, so `request_counts` moves as a real batch's do. Whatever ends
the batch, the requests that ran are in the output file (and their 4xx in the error file); an expired batch's
unrun requests are in the error file as `batch_expired`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from mockserver.errors import APIError, InvalidRequestError, NotFoundError
from mockserver.kinds.batches.input import BatchInput, read_batch_input
from mockserver.kinds.batches.responses import respond
from mockserver.kinds.batches.schemas import (
    Batch,
    BatchError,
    BatchErrors,
    BatchUsage,
    CreateBatch,
    LineError,
    OutputLine,
    ResponseEnvelope,
)
from mockserver.lifecycles.base import Entry, Lifecycle
from mockserver.lifecycles.machine import StateMachine, UserAction

COMPLETION_WINDOW = 24 * 3600
MAX_STEPS = 10

MACHINE = StateMachine(
    edges={
        "validating": ("in_progress", "failed", "cancelling"),
        "in_progress": ("finalizing", "expired", "cancelling"),
        "finalizing": ("completed", "failed", "cancelling"),
        "cancelling": ("cancelled",),
    },
    terminal=frozenset({"completed", "failed", "expired", "cancelled"}),
    actions={"cancel": UserAction("cancelling", "cancelled", ("validating", "in_progress", "finalizing"))},
)

VALIDATION_FAILURE = BatchError(code="invalid_file", message="The input file could not be validated.")
PROCESSING_FAILURE = BatchError(code="server_error", message="The batch failed due to an internal error.")
EXPIRED = LineError(
    code="batch_expired", message="This request could not be executed before the completion window expired."
)


@dataclass(kw_only=True)
class _Batch(Entry[Batch]):
    input: BatchInput
    output_seconds: int | None
    done: list[OutputLine] = field(default_factory=list)
    refused: list[OutputLine] = field(default_factory=list)
    in_progress_started: float = 0.0
    steps_done: int = 0

    @property
    def processed(self) -> int:
        return len(self.done) + len(self.refused)


class BatchLifecycle(Lifecycle[Batch, _Batch]):
    def not_found(self, object_id: str) -> APIError:
        return NotFoundError(f"No batch found with id '{object_id}'.", param="batch_id")

    # -- the API -----------------------------------------------------------------------------------------------------

    def create(
        self, project: str, request: CreateBatch, *, scenario: str | None = None, batch_id: str | None = None
    ) -> Batch:
        scenario = self.scenario(scenario, request.metadata)
        file = self._files.find(project, request.input_file_id)
        if file is None:
            raise InvalidRequestError(f"No such File object: {request.input_file_id}", param="input_file_id")
        if file.purpose != "batch":
            raise InvalidRequestError(
                f"File {file.id} has purpose '{file.purpose}', but batch input files must have purpose 'batch'.",
                param="input_file_id",
            )
        parsed = read_batch_input(self._files.content(project, file.id), request.endpoint)
        at = self._rt.now()
        batch = Batch(
            id=batch_id or self.kind.new_id(self._rt.ids),
            endpoint=request.endpoint,
            model=parsed.model,
            input_file_id=file.id,
            completion_window=request.completion_window,
            status="validating",
            created_at=int(at),
            expires_at=int(at) + COMPLETION_WINDOW,
            metadata=request.metadata,
        )
        output_seconds = request.output_expires_after.seconds if request.output_expires_after else None
        entry = _Batch(obj=batch, project=project, scenario=scenario, input=parsed, output_seconds=output_seconds)
        self._add(entry)
        if scenario != "stall":
            self._after_phase(entry, "batch.validating", at, self._validated)
        return batch

    def seed(self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None) -> Batch:
        return self.create(project, CreateBatch.model_validate(fields), scenario=scenario, batch_id=object_id)

    def create_for_trigger(self, project: str) -> Batch:
        """A batch of one chat completion request, on a new input file."""
        line = {
            "custom_id": "trigger-1",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]},
        }
        file = self._files.create(
            project,
            filename="trigger.jsonl",
            purpose="batch",
            content=json.dumps(line).encode() + b"\n",
            at=self._rt.now(),
        )
        return self.create(
            project, CreateBatch(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h")
        )

    def cancel(self, project: str, batch_id: str) -> Batch:
        return self.act(project, batch_id, "cancel")

    # -- timers ------------------------------------------------------------------------------------------------------

    def _validated(self, entry: _Batch, at: float) -> None:
        if entry.input.errors:
            self._move(entry, "failed", at, errors=entry.input.errors)
        elif entry.scenario == "fail_validation":
            self._move(entry, "failed", at, errors=[VALIDATION_FAILURE])
        else:
            self._move(entry, "in_progress", at)

    def _steps(self, entry: _Batch) -> int:
        return max(1, min(len(entry.input.requests), MAX_STEPS))

    def _schedule_step(self, entry: _Batch) -> None:
        due = entry.in_progress_started + self._rt.phases["batch.in_progress"] * (entry.steps_done + 1) / self._steps(
            entry
        )
        self._schedule(entry, due, self._step)

    def _step(self, entry: _Batch, at: float) -> None:
        entry.steps_done += 1
        total = len(entry.input.requests)
        target = math.ceil(total * entry.steps_done / self._steps(entry))
        if entry.scenario == "expire":
            # An expiring batch stalls halfway and waits for the end of its completion window.
            target = min(target, total // 2)
        self._run_requests(entry, target, at)
        if entry.scenario == "expire" and entry.processed >= total // 2:
            self._schedule(entry, float(entry.obj.expires_at or at), lambda e, when: self._move(e, "expired", when))
        elif entry.steps_done < self._steps(entry):
            self._schedule_step(entry)
        else:
            self._move(entry, "finalizing", at)

    def _finalized(self, entry: _Batch, at: float) -> None:
        if entry.scenario == "fail":
            self._move(entry, "failed", at, errors=[PROCESSING_FAILURE])
        else:
            self._move(entry, "completed", at)

    # -- what each status does ---------------------------------------------------------------------------------------

    def _enter(self, entry: _Batch, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        batch = entry.obj
        stamp = int(at)
        if target == "in_progress":
            batch.in_progress_at = stamp
            batch.request_counts.total = len(entry.input.requests)
            entry.in_progress_started = at
            self._schedule_step(entry)
        elif target == "finalizing":
            batch.finalizing_at = stamp
            self._after_phase(entry, "batch.finalizing", at, self._finalized)
        elif target == "completed":
            self._run_requests(entry, len(entry.input.requests), at)  # a forced completion runs what is left
            batch.completed_at = stamp
            self._write_results(entry, at)
        elif target == "failed":
            batch.failed_at = stamp
            errors = details.get("errors") or ([PROCESSING_FAILURE] if source != "validating" else [VALIDATION_FAILURE])
            batch.errors = BatchErrors(data=[BatchError.model_validate(error) for error in errors])
        elif target == "cancelling":
            batch.cancelling_at = stamp
            self._after_phase(entry, "batch.cancelling", at, lambda e, when: self._move(e, "cancelled", when))
        elif target == "cancelled":
            batch.cancelled_at = stamp
            self._write_results(entry, at)
        elif target == "expired":
            batch.expired_at = stamp
            for request in entry.input.requests[entry.processed :]:
                entry.refused.append(
                    OutputLine(
                        id=self._rt.ids.batch_request(), custom_id=request.custom_id, response=None, error=EXPIRED
                    )
                )
            self._write_results(entry, at)

    def _run_requests(self, entry: _Batch, upto: int, at: float) -> None:
        batch = entry.obj
        usage = batch.usage or BatchUsage()
        for request in entry.input.requests[entry.processed : upto]:
            outcome = respond(batch.endpoint, request.body, at=at, ids=self._rt.ids, fakes=self._rt.fakes)
            envelope = ResponseEnvelope(
                status_code=outcome.status_code, request_id=self._rt.ids.hex("req_"), body=outcome.body
            )
            line = OutputLine(
                id=self._rt.ids.batch_request(), custom_id=request.custom_id, response=envelope, error=None
            )
            if outcome.status_code == 200:
                entry.done.append(line)
                batch.request_counts.completed += 1
            else:
                entry.refused.append(line)
                batch.request_counts.failed += 1
            usage.input_tokens += outcome.input_tokens
            usage.output_tokens += outcome.output_tokens
        usage.total_tokens = usage.input_tokens + usage.output_tokens
        if entry.processed:
            batch.usage = usage

    def _write_results(self, entry: _Batch, at: float) -> None:
        batch = entry.obj
        for lines, suffix in ((entry.done, "output"), (entry.refused, "error")):
            if not lines:
                continue
            content = "".join(line.model_dump_json() + "\n" for line in lines).encode()
            file = self._files.create(
                entry.project,
                filename=f"{batch.id}_{suffix}.jsonl",
                purpose="batch_output",
                content=content,
                at=at,
                expires_after=entry.output_seconds,
            )
            if suffix == "output":
                batch.output_file_id = file.id
            else:
                batch.error_file_id = file.id
