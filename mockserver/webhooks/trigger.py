"""`mockserver trigger TYPE`: produce one event of any subscribable type now.

A type that a kind announces (`Kind.events`) gets a real object, made as a typical create would make it
(`create_for_trigger`) and forced through the legal path to the status that announces the type, so a handler that
fetches the object finds it there. Any other type gets a stand-in: `data` shaped as the SDK's event class for it
(`samples.sample_data`), about no object the API can return. Either way the event goes through the event log and
the dispatcher, to every endpoint that takes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.kinds import KINDS
from mockserver.schemas.trigger import Triggered, TriggeredDelivery
from mockserver.webhooks.events import LoggedEvent
from mockserver.webhooks.samples import sample_data

if TYPE_CHECKING:
    from mockserver.services import Services


def _from_lifecycle(svc: Services, event_type: str, project: str) -> LoggedEvent | None:
    for kind in KINDS:
        status = next((s for s, announced in kind.events.items() if announced == event_type), None)
        if status is None or not kind.triggerable:
            continue
        emitted: list[LoggedEvent] = []
        svc.events.listeners.insert(0, emitted.append)
        try:
            lifecycle = svc.lifecycles[kind.name]
            made = lifecycle.create_for_trigger(project)
            lifecycle.force(made.id, status)
        finally:
            svc.events.listeners.remove(emitted.append)
        return next(event for event in emitted if event.type == event_type and event.object_id == made.id)
    return None


def trigger(svc: Services, event_type: str, project: str) -> Triggered:
    """One event of `event_type` (one of `EVENT_TYPES`) in `project`, and the deliveries started for it."""
    event = _from_lifecycle(svc, event_type, project)
    stand_in = event is None
    if event is None:
        event = svc.events.emit(event_type, project, svc.clock.now(), sample_data(event_type, svc.ids))
    deliveries = [
        TriggeredDelivery(
            delivery_id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            url=endpoint.url if (endpoint := svc.endpoints.find(delivery.endpoint_id)) else "",
            webhook_id=delivery.webhook_id,
        )
        for delivery in svc.dispatcher.deliveries.values()
        if delivery.event.id == event.id
    ]
    return Triggered(
        event=event.wire(), object_id=None if stand_in else event.object_id, stand_in=stand_in, deliveries=deliveries
    )
