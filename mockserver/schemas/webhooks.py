"""Webhook events as OpenAI sends them, and the control API's endpoints and delivery log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from mockserver.schemas.common import Request, Seconds
from mockserver.settings import check_webhook_secret
from mockserver.urls import check_http_url
from mockserver.validation import PARAM, custom_error

# Every event type OpenAI sends for the lifecycles this server simulates; nothing else is ever sent.
EVENT_TYPES: tuple[str, ...] = (
    "fine_tuning.job.succeeded",
    "fine_tuning.job.failed",
    "fine_tuning.job.cancelled",
    "batch.completed",
    "batch.failed",
    "batch.expired",
    "batch.cancelled",
    "eval.run.succeeded",
    "eval.run.failed",
    "eval.run.canceled",
)


class EventData(BaseModel):
    id: str


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
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    secret: str
    events: list[str] | None
    project: str | None
    enabled: bool = True
    disabled_reason: str | None = None
    # Secrets kept after a rotation until `expires_at` (server clock); every delivery is signed with them too.
    previous_secrets: list[PreviousSecret] = Field(default_factory=list)
    # "cli" endpoints come from --webhook-url and survive a reset; "api" ones are forgotten by it.
    source: Literal["cli", "api"] = "api"


def _check_url(url: str) -> str:
    try:
        return check_http_url(url)
    except ValueError as exc:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': {exc}.") from None


def _check_events(events: list[str] | None) -> list[str] | None:
    if events is None:
        return None
    for event_type in events:
        if event_type not in EVENT_TYPES:
            raise custom_error(
                "invalid_value",
                f"Invalid '{PARAM}': unknown event type '{event_type}'. Supported: {', '.join(EVENT_TYPES)}.",
            )
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


class CreateEndpoint(Request):
    url: Url
    secret: Secret = None
    events: EventFilter = None
    project: str | None = None
    enabled: bool = True


class UpdateEndpoint(Request):
    url: Url | None = None
    events: EventFilter = None
    enabled: bool | None = None


class RotateSecret(Request):
    secret: Secret = None
    # How long the old secret keeps signing, in seconds of server time (Standard Webhooks suggests a day).
    expire_previous_after: Seconds = 86400.0


class ResendEvent(Request):
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
    object_id: str
    attempt: int
    attempted_at: float  # server clock
    sent_at: int  # wall clock: the signed webhook-timestamp
    duration_ms: float
    request: SentRequest
    response: ReceivedResponse | None
    error: str | None
    succeeded: bool
    next_retry_at: float | None  # server clock; null when this was the last attempt
