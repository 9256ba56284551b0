"""Webhook events as OpenAI sends them, and the control API's endpoints and delivery log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mockserver.schemas.chaos import Chaos, ChaosMark
from mockserver.schemas.common import LeftOutWhenNone, RequestBody, Seconds
from mockserver.settings import check_webhook_secret
from mockserver.urls import check_http_url
from mockserver.validation import PARAM, custom_error
from mockserver.webhooks.event_types import check_event_type


class EventData(BaseModel):
    """What an event is about: `{"id": <object id>}` for objects with a lifecycle; other types carry their own
    fields (`realtime.call.incoming` has `call_id` and `sip_headers`, and no `id`)."""

    model_config = ConfigDict(extra="allow")

    id: LeftOutWhenNone[str] = None


class WebhookEvent(BaseModel):
    """The payload: `{"object": "event", "id": "evt_…", "type", "created_at", "data": {"id"}}`."""

    object: Literal["event"] = "event"
    id: str
    type: str
    created_at: int
    data: EventData


class RecordedEvent(WebhookEvent):
    """An event as the control API lists it: the payload, plus the project it belongs to."""

    project: str


class PreviousSecret(BaseModel):
    secret: str
    expires_at: float


class WebhookEndpoint(BaseModel):
    """An endpoint as the server keeps it and the control API shows it: the real API's fields (`name`,
    `created_at`, `updated_at`) and the mock's own (secrets, project scope, enabled, where it came from)."""

    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    secret: str
    events: list[str] | None  # None: every event type
    project: str | None  # None: every project's events
    enabled: bool = True
    disabled_reason: str | None = None
    # Secrets kept after a rotation until `expires_at` (server clock); every delivery is signed with them too.
    previous_secrets: list[PreviousSecret] = Field(default_factory=list)
    # "cli": --webhook-url, survives a reset. "control": /_mock/webhooks/endpoints. "openai": the real API's
    # /v1/webhook_endpoints, as production configures endpoints. Only "cli" ones survive a reset.
    source: Literal["cli", "control", "openai"] = "control"
    # Mock-only: also send `mock.transition` for every state change of this endpoint's project's objects.
    all_transitions: bool = False
    name: str | None = None
    created_at: int = 0  # server clock
    updated_at: int = 0  # the last change of configuration or secret
    chaos: Chaos | None = None  # deliberately disturbed deliveries (mock-only, opt-in)


def _check_url(url: str) -> str:
    try:
        return check_http_url(url)
    except ValueError as exc:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': {exc}.") from None


def _check_event_type(event_type: str) -> str:
    try:
        return check_event_type(event_type)
    except ValueError as exc:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': {exc}") from None


# An event type in a request body: refused, naming it and the closest known type, unless subscribable.
EventType = Annotated[str, AfterValidator(_check_event_type)]


def _check_events(events: list[str] | None) -> list[str] | None:
    # Checked as a list, so that the error names the list (`events`), as this control API always has.
    for event_type in events or ():
        _check_event_type(event_type)
    return events


def _check_secret(secret: str | None) -> str | None:
    if secret is None:
        return None
    try:
        return check_webhook_secret(secret)
    except ValueError as exc:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': {exc}.") from None


Url = Annotated[str, AfterValidator(_check_url)]
EventFilter = Annotated[list[str] | None, AfterValidator(_check_events)]
Secret = Annotated[str | None, AfterValidator(_check_secret)]


class CreateEndpoint(RequestBody):
    url: Url
    secret: Secret = None
    events: EventFilter = None
    project: str | None = None
    enabled: bool = True
    chaos: Chaos | None = None
    all_transitions: bool = False


class UpdateEndpoint(RequestBody):
    url: Url | None = None
    events: EventFilter = None
    enabled: bool | None = None
    chaos: Chaos | None = None  # null: no more chaos
    all_transitions: bool | None = None


class RotateSecret(RequestBody):
    secret: Secret = None
    # How long the old secret keeps signing, in seconds of server time (Standard Webhooks suggests a day).
    expire_previous_after: Seconds = 86400.0


class ResendEvent(RequestBody):
    endpoint_id: str | None = None


class SentRequest(BaseModel):
    headers: dict[str, str]
    body: str


class ReceivedResponse(BaseModel):
    status: int
    body: str


class DeliveryAttempt(BaseModel):
    """One POST to one endpoint, as `GET /_mock/webhooks/deliveries` lists it."""

    object: Literal["webhook.delivery_attempt"] = "webhook.delivery_attempt"
    id: str
    delivery_id: str
    endpoint_id: str
    url: str
    webhook_id: str
    event_id: str
    event_type: str
    object_id: str | None  # None: an event about no object (`realtime.call.incoming`)
    attempt: int
    attempted_at: float  # server clock
    sent_at: int  # wall clock: the signed webhook-timestamp
    duration_ms: float
    request: SentRequest
    response: ReceivedResponse | None
    error: str | None
    succeeded: bool
    next_retry_at: float | None  # server clock; null when this was the last attempt
    # The endpoint's chaos in this attempt: a broken kind (never counts as the delivery, so `succeeded` is false
    # whatever the receiver answered), "duplicate" (a valid resend after success), "reordered" or "delayed" (the
    # proper attempt, sent late). Chaotic attempts carry the number of the proper attempt they go with.
    chaos: list[ChaosMark] = Field(default_factory=list)
    chaos_detail: str | None = None  # e.g. which header was left out
