"""Which transitions OpenAI announces, and the record of every event this server emitted."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mockserver.ids import IdFactory
from mockserver.lifecycles.runtime import Transition
from mockserver.schemas.webhooks import EventData, RecordedEvent

# (object, new status) -> event type. Intermediate states send nothing, as on the real API.
ANNOUNCED: dict[tuple[str, str], str] = {
    ("fine_tuning.job", "succeeded"): "fine_tuning.job.succeeded",
    ("fine_tuning.job", "failed"): "fine_tuning.job.failed",
    ("fine_tuning.job", "cancelled"): "fine_tuning.job.cancelled",
    ("batch", "completed"): "batch.completed",
    ("batch", "failed"): "batch.failed",
    ("batch", "expired"): "batch.expired",
    ("batch", "cancelled"): "batch.cancelled",
    ("eval.run", "completed"): "eval.run.succeeded",
    ("eval.run", "failed"): "eval.run.failed",
    ("eval.run", "canceled"): "eval.run.canceled",
}

EventListener = Callable[[RecordedEvent], None]


class EventLog:
    """Every event emitted, endpoints or not (`GET /_mock/webhooks/events`)."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self._events: dict[str, RecordedEvent] = {}
        self.listeners: list[EventListener] = []

    def on_transition(self, transition: Transition) -> None:
        event_type = ANNOUNCED.get((transition.object, transition.target))
        if event_type is None:
            return
        event = RecordedEvent(
            id=self._ids.event(),
            type=event_type,
            created_at=int(transition.at),
            data=EventData(id=transition.id),
            project=transition.project,
        )
        self._events[event.id] = event
        for listener in self.listeners:
            listener(event)

    def get(self, event_id: str) -> RecordedEvent | None:
        return self._events.get(event_id)

    def newest_first(self) -> Iterator[RecordedEvent]:
        for event_id in reversed(self._events):
            yield self._events[event_id]

    def clear(self) -> None:
        self._events.clear()
