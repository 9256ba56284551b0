"""`POST /_mock/webhooks/trigger`: the request and what it answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from mockserver.schemas.common import RequestBody
from mockserver.schemas.webhooks import EventType, RecordedEvent


class TriggerEvent(RequestBody):
    type: EventType
    project: str | None = None  # None: the default project


class TriggeredDelivery(BaseModel):
    delivery_id: str
    endpoint_id: str
    url: str
    webhook_id: str


class Triggered(BaseModel):
    """The event made, the object it is about (None for a stand-in) and the deliveries started for it."""

    object: Literal["mock.trigger"] = "mock.trigger"
    event: RecordedEvent
    object_id: str | None
    stand_in: bool  # True: no object exists behind the event (no lifecycle makes this type)
    deliveries: list[TriggeredDelivery]
