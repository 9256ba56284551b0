"""`POST /_mock/webhooks/trigger`: the request and what it answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel

from mockserver.schemas.common import RequestBody
from mockserver.schemas.webhooks import RecordedEvent
from mockserver.validation import PARAM, custom_error
from mockserver.webhooks.event_types import EVENT_TYPES, unknown_event_type_message


def _check_type(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': {unknown_event_type_message(event_type)}")
    return event_type


class TriggerEvent(RequestBody):
    type: Annotated[str, AfterValidator(_check_type)]
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
