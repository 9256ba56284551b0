"""The webhook endpoints API as the official SDK types it (`client.webhooks.create/...`, `/v1/webhook_endpoints`):
requests, and the `WebhookEndpoint`, `WebhookEndpointWithSecret`, test-result and event-type-list shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from mockserver.schemas.common import RequestBody
from mockserver.schemas.webhooks import EventType, Url, WebhookEndpoint
from mockserver.webhooks.event_types import EVENT_TYPES

# At least one: an endpoint that takes no event would never be sent anything (the real minimum is not documented).
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]
# The real API documents no length limit for a name; 256 keeps hostile input bounded.
Name = Annotated[str, Field(min_length=1, max_length=256)]


class CreateWebhookEndpoint(RequestBody):
    url: Url
    name: Name
    event_types: EventTypes


class UpdateWebhookEndpoint(RequestBody):
    url: Url | None = None
    name: Name | None = None
    event_types: EventTypes | None = None


class RotateWebhookSecret(RequestBody):
    keep_old_secret_active_for_24_hours: bool = False


class TestWebhookEndpoint(RequestBody):
    __test__ = False  # a request body, not a pytest class

    event_type: EventType


def secret_hint(secret: str) -> str:
    """Enough of a secret to tell two apart, never enough to sign with (the real hint's format is not published)."""
    return f"whsec_****{secret[-4:]}"


class WebhookEndpointObject(BaseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    created_at: int
    updated_at: int
    name: str
    url: str
    event_types: list[str]
    signing_secret_hint: str

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointObject:
        return cls(
            id=endpoint.id,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
            name=endpoint.name or "",
            url=endpoint.url,
            event_types=list(endpoint.events or ()),
            signing_secret_hint=secret_hint(endpoint.secret),
        )


class WebhookEndpointWithSecret(WebhookEndpointObject):
    """The answer of create and rotate_secret: the only times the secret is shown."""

    signing_secret: str

    @classmethod
    def revealing(cls, endpoint: WebhookEndpoint) -> WebhookEndpointWithSecret:
        return cls(**WebhookEndpointObject.of(endpoint).model_dump(), signing_secret=endpoint.secret)


class DeletedWebhookEndpoint(BaseModel):
    id: str
    object: Literal["webhook_endpoint.deleted"] = "webhook_endpoint.deleted"
    deleted: bool = True


class WebhookEndpointTestResult(BaseModel):
    __test__ = False

    object: Literal["webhook_endpoint.test"] = "webhook_endpoint.test"
    webhook_endpoint_id: str
    event_type: str
    status_code: int
    success: Literal[True] = True


class WebhookEventTypeList(BaseModel):
    object: Literal["list"] = "list"
    data: list[str]
