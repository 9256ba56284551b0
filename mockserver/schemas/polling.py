"""The polling report (`GET /_mock/reports/polling`, `server.polling_report()`): how the client polled each object."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class PolledObject(BaseModel):
    """One object's retrieves, in server time (the manual clock's when it is manual)."""

    object_id: str
    object: str  # its kind, e.g. "fine_tuning.job"
    project: str | None
    polls: int
    first_poll_at: float
    last_poll_at: float
    min_interval: float | None  # seconds between two polls; null with fewer than two
    median_interval: float | None
    max_per_minute: int  # the most polls in any 60 s of server time
    # The intervals grew: the last is at least 1.5 times the first (and there are at least three polls).
    backed_off: bool
    ended_at: float | None  # when it reached a terminal status; null while it has not
    polls_after_end: int  # polls once it had ended; the first of them is what found out
    wasted_polls: int  # polls after the one that found out it had ended
    # Polls a webhook would have made unnecessary: all of them but one retrieve after the event, when the kind
    # announces its outcomes (`webhook_events`); 0 for a kind that announces nothing.
    replaceable_by_webhook: int
    webhook_events: list[str]


class PollingReport(BaseModel):
    object: Literal["mock.polling_report"] = "mock.polling_report"
    now: float
    objects: list[PolledObject]
    total_polls: int
    total_replaceable_by_webhook: int

    def problems(
        self,
        *,
        max_per_minute: int | None = None,
        min_interval: float | None = None,
        max_wasted_polls: int | None = 0,
        require_backoff: bool = False,
    ) -> list[str]:
        """What makes the polling impolite, one line per object and rule (empty: polite)."""
        found = []
        for polled in self.objects:
            name = f"{polled.object} {polled.object_id}"
            if max_per_minute is not None and polled.max_per_minute > max_per_minute:
                found.append(f"{name}: {polled.max_per_minute} polls in one minute (at most {max_per_minute})")
            if min_interval is not None and polled.min_interval is not None and polled.min_interval < min_interval:
                found.append(f"{name}: polled {polled.min_interval:g} s apart (at least {min_interval:g} s)")
            if max_wasted_polls is not None and polled.wasted_polls > max_wasted_polls:
                found.append(
                    f"{name}: polled {polled.wasted_polls} more time(s) after it had ended at {polled.ended_at:.0f}"
                    f" and that was seen (at most {max_wasted_polls})"
                )
            if require_backoff and polled.polls >= 3 and not polled.backed_off:
                found.append(f"{name}: {polled.polls} polls without backing off")
        return found
