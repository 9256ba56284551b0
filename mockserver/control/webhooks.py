"""`/_mock/webhooks/...`: endpoints, the events emitted, the delivery log, resends."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.auth import DEFAULT_PROJECT
from mockserver.errors import NotFoundError
from mockserver.http import answer, read_json, services
from mockserver.routes.webhook_endpoints import list_event_types
from mockserver.schemas.common import DeletedResponse, ListResponse
from mockserver.schemas.control import Health
from mockserver.schemas.trigger import TriggerEvent
from mockserver.schemas.webhooks import (
    CreateEndpoint,
    DeliveryAttempt,
    RecordedEvent,
    ResendEvent,
    RotateSecret,
    UpdateEndpoint,
    WebhookEndpoint,
)
from mockserver.webhooks.trigger import trigger


def _list(items: list[WebhookEndpoint] | list[RecordedEvent] | list[DeliveryAttempt]) -> Response:
    return answer(ListResponse[Any](data=list(items), has_more=False))


async def list_endpoints(request: Request) -> Response:
    return _list(services(request).endpoints.all())


async def create_endpoint(request: Request) -> Response:
    body = await read_json(request, CreateEndpoint)
    return answer(services(request).endpoints.create(body))


async def retrieve_endpoint(request: Request) -> Response:
    return answer(services(request).endpoints.get(request.path_params["endpoint_id"]))


async def update_endpoint(request: Request) -> Response:
    body = await read_json(request, UpdateEndpoint)
    return answer(services(request).endpoints.update(request.path_params["endpoint_id"], body))


async def delete_endpoint(request: Request) -> Response:
    endpoint = services(request).endpoints.delete(request.path_params["endpoint_id"])
    return answer(DeletedResponse(id=endpoint.id, object="webhook_endpoint", deleted=True))


async def rotate_secret(request: Request) -> Response:
    svc = services(request)
    body = await read_json(request, RotateSecret)
    endpoint = svc.endpoints.get(request.path_params["endpoint_id"])
    return answer(svc.endpoints.rotate(endpoint, body.secret, body.expire_previous_after))


async def list_events(request: Request) -> Response:
    query = request.query_params
    event_type, object_id = query.get("event_type"), query.get("object_id")
    events = [
        event
        for event in services(request).events.newest_first()
        if (event_type is None or event.type == event_type) and (object_id is None or event.data.id == object_id)
    ]
    return _list(events)


async def list_deliveries(request: Request) -> Response:
    query = request.query_params
    wanted = {key: query[key] for key in ("event_type", "object_id", "endpoint_id", "event_id") if key in query}
    attempts = [
        attempt
        for attempt in reversed(services(request).dispatcher.attempts)
        if all(getattr(attempt, key) == value for key, value in wanted.items())
    ]
    return _list(attempts)


async def resend_event(request: Request) -> Response:
    svc = services(request)
    body = await read_json(request, ResendEvent, optional=True)
    event_id = request.path_params["event_id"]
    event = svc.events.get(event_id)
    if event is None:
        raise NotFoundError(f"No such event: {event_id}", param="event_id", code="event_not_found")
    deliveries = svc.dispatcher.resend(event, body.endpoint_id)
    data = [{"delivery_id": d.id, "endpoint_id": d.endpoint_id, "webhook_id": d.webhook_id} for d in deliveries]
    return answer(ListResponse[dict[str, str]](data=data, has_more=False))


async def trigger_event(request: Request) -> Response:
    """`mockserver trigger TYPE`: one event of that type now, through a real object where a kind makes one."""
    body = await read_json(request, TriggerEvent)
    return answer(trigger(services(request), body.type, body.project or DEFAULT_PROJECT))


async def settle(request: Request) -> Response:
    """Every delivery due now (in flight, or due on the manual clock) has been attempted when this answers."""
    await services(request).scheduler.settle_due()
    return answer(Health())


routes: list[BaseRoute] = [
    Route("/webhooks/endpoints", list_endpoints, methods=["GET"]),
    Route("/webhooks/endpoints", create_endpoint, methods=["POST"]),
    Route("/webhooks/endpoints/{endpoint_id}", retrieve_endpoint, methods=["GET"]),
    Route("/webhooks/endpoints/{endpoint_id}", update_endpoint, methods=["PATCH"]),
    Route("/webhooks/endpoints/{endpoint_id}", delete_endpoint, methods=["DELETE"]),
    Route("/webhooks/endpoints/{endpoint_id}/rotate", rotate_secret, methods=["POST"]),
    Route("/webhooks/events", list_events, methods=["GET"]),
    Route("/webhooks/events/{event_id}/resend", resend_event, methods=["POST"]),
    Route("/webhooks/deliveries", list_deliveries, methods=["GET"]),
    Route("/webhooks/settle", settle, methods=["POST"]),
    Route("/webhooks/trigger", trigger_event, methods=["POST"]),
    # The same list as the real API's `GET /v1/webhook_event_types`: what `trigger` (and the inspector) offers.
    Route("/webhooks/event_types", list_event_types, methods=["GET"]),
]
