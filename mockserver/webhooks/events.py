"""The record of every event this server emitted: one per transition that a kind announces (`Kind.events`;
intermediate states announce nothing, as on the real API), and those emitted with their own `data`: stand-ins made
by `mockserver trigger` for types without a lifecycle, and the mock-only `mock.transition`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from mockserver.ids import IdFactory
from mockserver.kinds import ANNOUNCED
from mockserver.lifecycles.runtime import Transition
from mockserver.schemas.webhooks import EventData, RecordedEvent


class LoggedEvent(NamedTuple):
    """An event as the log keeps it: every terminal transition makes one, on the request path, so the model is made
    only for someone who reads it or an endpoint that is sent it."""

    id: str
    type: str
    created_at: int
    object_id: str | None
    project: str
    # The whole `data` when it is more than `{"id": object_id}` (a stand-in's fields, a transition's).
    data: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, event: RecordedEvent) -> LoggedEvent:
        """The record of an event given as its model (a resend, an endpoint's test event)."""
        data = event.data.model_dump()
        only_id = data.keys() == {"id"}
        return cls(event.id, event.type, event.created_at, event.data.id, event.project, None if only_id else data)

    def wire(self) -> RecordedEvent:
        return RecordedEvent(
            id=self.id,
            type=self.type,
            created_at=self.created_at,
            data=EventData(id=self.object_id) if self.data is None else EventData(**self.data),
            project=self.project,
        )


EventListener = Callable[[LoggedEvent], None]


class EventLog:
    """Every event emitted, endpoints or not (`GET /_mock/webhooks/events`)."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self._events: dict[str, LoggedEvent] = {}
        self.listeners: list[EventListener] = []

    def on_transition(self, transition: Transition) -> None:
        event_type = ANNOUNCED.get((transition.object, transition.target))
        if event_type is None:
            return
        self._log(LoggedEvent(self._ids.event(), event_type, int(transition.at), transition.id, transition.project))

    def emit(self, event_type: str, project: str, at: float, data: Mapping[str, Any]) -> LoggedEvent:
        """An event with its own `data`, logged and sent like the rest."""
        object_id = data.get("id")
        event = LoggedEvent(
            self._ids.event(), event_type, int(at), object_id if isinstance(object_id, str) else None, project, data
        )
        self._log(event)
        return event

    def _log(self, event: LoggedEvent) -> None:
        self._events[event.id] = event
        for listener in self.listeners:
            listener(event)

    def get(self, event_id: str) -> RecordedEvent | None:
        event = self._events.get(event_id)
        return None if event is None else event.wire()

    def newest_first(self) -> Iterator[RecordedEvent]:
        for event_id in reversed(self._events):
            yield self._events[event_id].wire()

    def clear(self) -> None:
        self._events.clear()
