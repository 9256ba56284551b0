"""The polling report: per object a client retrieved, from the request journal, how often and how it polled, and
whether it kept polling once the object had ended. Intervals are in server time, so a test on the manual clock gets
exact figures.

A poll is a GET whose path ends in the id of an object with a lifecycle (`GET /v1/batches/batch_…`,
`/v1/evals/{eval}/runs/evalrun_…`). When an object ended comes from a transition listener (`Endings`), with the
journal's count at that moment, so that a poll at the same server second is placed before or after it correctly.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from typing import NamedTuple

from mockserver.journal import Journal
from mockserver.kinds import BY_OBJECT, kind_of
from mockserver.lifecycles.runtime import Transition
from mockserver.schemas.control import JournalEntry
from mockserver.schemas.polling import PolledObject, PollingReport

BACKOFF_GROWTH = 1.5
MINUTE = 60.0


class Ending(NamedTuple):
    """Made on every terminal transition: a tuple, which costs a fraction of a frozen dataclass to make."""

    at: float  # server clock
    after_request: int  # the journal's count when it happened


class Endings:
    """When each object reached a terminal status (a transition listener)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self.items: dict[str, Ending] = {}

    def on_transition(self, transition: Transition) -> None:
        kind = BY_OBJECT.get(transition.object)
        if kind is not None and kind.machine.is_terminal(transition.target) and transition.id not in self.items:
            self.items[transition.id] = Ending(transition.at, self._journal.recorded)

    def clear(self) -> None:
        self.items.clear()


def _number(entry: JournalEntry) -> int:
    return int(entry.id.removeprefix("mreq_"))


def _most_in_a_minute(times: list[float]) -> int:
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= MINUTE:
            start += 1
        most = max(most, end - start + 1)
    return most


def _after(entry: JournalEntry, ending: Ending) -> bool:
    return entry.at > ending.at or (entry.at == ending.at and _number(entry) > ending.after_request)


def _polled(object_id: str, polls: list[JournalEntry], ending: Ending | None) -> PolledObject:
    kind = kind_of(object_id)
    assert kind is not None  # polls are grouped by ids of a kind
    times = [poll.at for poll in polls]
    intervals = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    after_end = sum(_after(poll, ending) for poll in polls) if ending is not None else 0
    events = sorted(set(kind.events.values()))
    replaceable = 0 if not events else len(polls) - (1 if ending is not None else 0)
    return PolledObject(
        object_id=object_id,
        object=kind.object,
        project=polls[0].project,
        polls=len(polls),
        first_poll_at=times[0],
        last_poll_at=times[-1],
        min_interval=round(min(intervals), 6) if intervals else None,
        median_interval=round(statistics.median(intervals), 6) if intervals else None,
        max_per_minute=_most_in_a_minute(times),
        backed_off=len(intervals) >= 2 and intervals[-1] >= BACKOFF_GROWTH * intervals[0] > 0,
        ended_at=None if ending is None else ending.at,
        polls_after_end=after_end,
        wasted_polls=max(after_end - 1, 0),
        replaceable_by_webhook=max(replaceable, 0),
        webhook_events=events,
    )


def polling_report(
    journal: Iterable[JournalEntry], endings: Endings, now: float, *, keep: Callable[[JournalEntry], bool] | None = None
) -> PollingReport:
    """`journal` newest first, as the journal gives it; `keep` filters requests (e.g. by project)."""
    polls: dict[str, list[JournalEntry]] = {}
    for entry in reversed(list(journal)):
        if entry.method != "GET" or (keep is not None and not keep(entry)):
            continue
        object_id = entry.path.rstrip("/").rsplit("/", 1)[-1]
        if kind_of(object_id) is not None:
            polls.setdefault(object_id, []).append(entry)
    objects = [_polled(object_id, entries, endings.items.get(object_id)) for object_id, entries in polls.items()]
    return PollingReport(
        now=now,
        objects=objects,
        total_polls=sum(polled.polls for polled in objects),
        total_replaceable_by_webhook=sum(polled.replaceable_by_webhook for polled in objects),
    )
