"""A fine-tuning job's events and checkpoints, kept as what happened rather than as records (issue 12: what a
finished job keeps must stay within a few KB).

A finished job shows about a hundred events, most of them metrics, and three checkpoints. The log keeps each
message event as its text (and its time in an `array`), and each trained epoch as its number in the event order
(and its start and end times in another); the metrics events, the "Checkpoint created" messages and the
checkpoints are made from the plan and the job's seed when read (`training.step_metrics` is a pure function).
Each event's id is a hash of the job id and the event's place in the log, so an `after` cursor names the same
event on every read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any, Final, NamedTuple

from mockserver.ids import derived
from mockserver.kinds.fine_tuning.schemas import Checkpoint, EventRecord, FineTuningJob
from mockserver.kinds.fine_tuning.training import (
    Plan,
    checkpoint_metrics,
    metrics_message,
    reported_count,
    reported_steps,
    step_metrics,
)

# The newest events a job keeps: a whole job has about a hundred, but pause and resume add two each, without end.
MAX_JOB_EVENTS = 1000

# Most events carry `{}` as data (one shared dict: records are validated into models, never changed).
NO_DATA: Final[dict[str, Any]] = {}


class Unusual(NamedTuple):
    """A message event whose level or data is not the usual "info" and `{}` (most are kept as their text alone)."""

    message: str
    level: str
    data: dict[str, Any] | None


# A message event (its text, or an `Unusual` one), or the number of a trained epoch: its metrics events and (but for
# the last epoch) its checkpoint's message. Every event's id is derived, and a message's type is "message".
_Entry = str | Unusual | int


def checkpoint_name(prefix: str, job_id: str, step: int) -> str:
    """An intermediate checkpoint's `ft:…:ckpt-step-N` name; its tag is derived, so the name is never kept."""
    return f"{prefix}:{derived('', 8, f'{job_id}/tag/{step}')}:ckpt-step-{step}"


class JobLog:
    """One job's events, oldest first, as messages and trained epochs."""

    __slots__ = ("_count", "_entries", "_first", "_hidden", "_said", "_times")

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._said = array("q")  # the time of each message in `_entries`, in order
        # Per trained epoch, in order: when its metrics start, and when it ended (kept when the cap lets the epoch's
        # events go: its checkpoint is not an event).
        self._times = array("d")
        self._count = 0  # the events shown
        self._first = 0  # the place, among every event the job ever had, of the first event of `_entries[0]`
        self._hidden = 0  # how many of `_entries[0]`'s events were let go at the cap

    def __len__(self) -> int:
        return self._count

    @property
    def epochs(self) -> int:
        """How many epochs were trained."""
        return len(self._times) // 2

    def message(self, at: float, message: str, level: str, data: dict[str, Any] | None, plan: Plan | None) -> None:
        self._entries.append(message if level == "info" and data is NO_DATA else Unusual(message, level, data))
        self._said.append(int(at))
        self._count += 1
        self._trim(plan)

    def epoch(self, plan: Plan, start: float, end: float) -> None:
        """The next epoch ended at `end`; its metrics events are spread over [start, end]."""
        self._times.extend((start, end))
        epoch = self.epochs
        self._entries.append(epoch)
        self._count += _size(epoch, plan)
        self._trim(plan)

    def _trim(self, plan: Plan | None) -> None:
        while self._count > MAX_JOB_EVENTS:
            self._hidden += 1
            self._count -= 1
            if self._hidden == _size(self._entries[0], plan):
                if not isinstance(self._entries[0], int):
                    del self._said[0]
                del self._entries[0]
                self._first += self._hidden
                self._hidden = 0

    def newest_first(self, job: FineTuningJob, plan: Plan | None, prefix: str) -> Iterator[EventRecord]:
        end = self._first + self._hidden + self._count  # one past the place of the newest event
        said = len(self._said)
        for index in range(len(self._entries) - 1, -1, -1):
            entry = self._entries[index]
            start = end - _size(entry, plan)
            if isinstance(entry, int):
                assert plan is not None
                records = self._epoch_records(job, plan, prefix, entry, start)
            else:
                said -= 1
                records = [_message(job.id, start, self._said[said], entry)]
            yield from reversed(records[self._hidden :] if index == 0 else records)
            end = start

    def _epoch_records(self, job: FineTuningJob, plan: Plan, prefix: str, epoch: int, place: int) -> list[EventRecord]:
        started, ended = self._times[2 * epoch - 2], self._times[2 * epoch - 1]
        steps = reported_steps(plan, epoch)
        records = []
        for index, step in enumerate(steps, start=1):
            data = step_metrics(plan, job.seed, step)
            when = started + (ended - started) * index / len(steps)
            records.append(
                EventRecord(_event_id(job.id, place), int(when), "info", metrics_message(step, data), "metrics", data)
            )
            place += 1
        if epoch < plan.n_epochs:
            step = epoch * plan.steps_per_epoch
            name = checkpoint_name(prefix, job.id, step)
            message = f"Checkpoint created at step {step} with Snapshot ID: {name}"
            records.append(_message(job.id, place, int(ended), message))
        return records

    def checkpoints(self, job: FineTuningJob, plan: Plan | None, prefix: str) -> list[Checkpoint]:
        """The job's checkpoints, oldest first: the last three epochs', as the real service keeps, the last of them
        the fine-tuned model itself."""
        if plan is None:
            return []
        kept = []
        for epoch in range(max(1, plan.n_epochs - 2), min(self.epochs, plan.n_epochs - 1) + 1):
            step = epoch * plan.steps_per_epoch
            ended = int(self._times[2 * epoch - 1])
            kept.append(_checkpoint(job, plan, step, ended, checkpoint_name(prefix, job.id, step)))
        if job.fine_tuned_model is not None and job.finished_at is not None:
            kept.append(_checkpoint(job, plan, plan.total_steps, job.finished_at, job.fine_tuned_model))
        return kept

    def checkpoint_names(self, job: FineTuningJob, plan: Plan | None, prefix: str) -> Iterator[str]:
        """The names of `checkpoints()`, without making them."""
        if plan is None:
            return
        for epoch in range(max(1, plan.n_epochs - 2), min(self.epochs, plan.n_epochs - 1) + 1):
            yield checkpoint_name(prefix, job.id, epoch * plan.steps_per_epoch)
        if job.fine_tuned_model is not None:
            yield job.fine_tuned_model


def _size(entry: _Entry, plan: Plan | None) -> int:
    """How many events an entry stands for."""
    if not isinstance(entry, int):
        return 1
    assert plan is not None  # epochs are trained by a plan
    return reported_count(plan, entry) + (entry < plan.n_epochs)


def _event_id(job_id: str, place: int) -> str:
    return derived("ftevent-", 24, f"{job_id}/event/{place}")


def _message(job_id: str, place: int, created_at: int, message: str | Unusual) -> EventRecord:
    text, level, data = (message, "info", NO_DATA) if isinstance(message, str) else message
    return EventRecord(_event_id(job_id, place), created_at, level, text, "message", data)


def _checkpoint(job: FineTuningJob, plan: Plan, step: int, created_at: int, name: str) -> Checkpoint:
    return Checkpoint(
        id=derived("ftckpt_", 24, f"{job.id}/checkpoint/{step}"),
        created_at=created_at,
        fine_tuned_model_checkpoint=name,
        fine_tuning_job_id=job.id,
        step_number=step,
        metrics=checkpoint_metrics(step_metrics(plan, job.seed, step)),
    )


class JobEvents:
    """A job's events as the events route reads them: `reversed()` (newest first) makes each when it is reached."""

    __slots__ = ("_job", "_log", "_plan", "_prefix")

    def __init__(self, log: JobLog, job: FineTuningJob, plan: Plan | None, prefix: str) -> None:
        self._log, self._job, self._plan, self._prefix = log, job, plan, prefix

    def __len__(self) -> int:
        return len(self._log)

    def __reversed__(self) -> Iterator[EventRecord]:
        return self._log.newest_first(self._job, self._plan, self._prefix)

    def __iter__(self) -> Iterator[EventRecord]:
        return iter(list(self._log.newest_first(self._job, self._plan, self._prefix))[::-1])
