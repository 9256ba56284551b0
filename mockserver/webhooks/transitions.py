"""`mock.transition`: every state change as an event, for the endpoints that asked (`all_transitions`). Mock-only:
the real API announces terminal states alone. Made only while some endpoint of the project wants it, so that a
server without such endpoints pays nothing per transition."""

from __future__ import annotations

from mockserver.lifecycles.runtime import Transition
from mockserver.webhooks.endpoints import Endpoints
from mockserver.webhooks.event_types import TRANSITION_EVENT
from mockserver.webhooks.events import EventLog


class TransitionEvents:
    def __init__(self, events: EventLog, endpoints: Endpoints) -> None:
        self._events = events
        self._endpoints = endpoints

    def on_transition(self, transition: Transition) -> None:
        if not self._endpoints.want_transitions(transition.project):
            return
        data = {
            "id": transition.id,
            "object": transition.object,
            "from": transition.source,
            "to": transition.target,
            "at": int(transition.at),
        }
        self._events.emit(TRANSITION_EVENT, transition.project, transition.at, data)
