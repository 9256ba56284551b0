"""`/webhook_endpoints` and `/webhook_event_types`: where a project's events are sent, configured as in production
(`client.webhooks.create(...)` and the rest of the SDK's `webhooks` resource)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errors import InvalidRequestError
from mockserver.http import (
    JSONAnswer,
    answer,
    answer_kept,
    answer_kept_list,
    project,
    read_body,
    read_optional_body,
    services,
)
from mockserver.pagination import cursor_list
from mockserver.schemas.webhook_endpoints import (
    CreateWebhookEndpoint,
    DeletedWebhookEndpoint,
    RotateWebhookSecret,
    TestWebhookEndpoint,
    UpdateWebhookEndpoint,
    WebhookEndpointObject,
    WebhookEndpointTestResult,
    WebhookEndpointWithSecret,
    WebhookEventTypeList,
)
from mockserver.schemas.webhooks import EventData, RecordedEvent
from mockserver.urls import redact_url
from mockserver.webhooks.endpoints import KEEP_OLD_SECRET_SECONDS
from mockserver.webhooks.event_types import EVENT_TYPES
from mockserver.webhooks.samples import sample_data


def _endpoint_id(request: Request) -> str:
    endpoint_id: str = request.path_params["webhook_endpoint_id"]
    return endpoint_id


async def create_endpoint(request: Request) -> Response:
    body = await read_body(request, CreateWebhookEndpoint)
    endpoint = services(request).endpoints.create_in_project(project(request), body)
    return answer(WebhookEndpointWithSecret.revealing(endpoint))


async def list_endpoints(request: Request) -> Response:
    endpoints = services(request).endpoints.newest_first(project(request))
    form = services(request).answers.form
    wire = ((endpoint_id, form(endpoint, WebhookEndpointObject.of)) for endpoint_id, endpoint in endpoints)
    return answer_kept_list(request, cursor_list(wire, request.query_params))


async def retrieve_endpoint(request: Request) -> Response:
    endpoint = services(request).endpoints.of_project(project(request), _endpoint_id(request))
    return answer_kept(request, services(request).answers.form(endpoint, WebhookEndpointObject.of))


async def update_endpoint(request: Request) -> Response:
    body = await read_body(request, UpdateWebhookEndpoint)
    endpoint = services(request).endpoints.reconfigure(project(request), _endpoint_id(request), body)
    return answer(WebhookEndpointObject.of(endpoint))


async def delete_endpoint(request: Request) -> Response:
    await read_optional_body(request)
    endpoint = services(request).endpoints.remove(project(request), _endpoint_id(request))
    return answer(DeletedWebhookEndpoint(id=endpoint.id))


async def rotate_secret(request: Request) -> Response:
    body = await read_body(request, RotateWebhookSecret, optional=True)
    endpoints = services(request).endpoints
    endpoint = endpoints.of_project(project(request), _endpoint_id(request))
    keep = KEEP_OLD_SECRET_SECONDS if body.keep_old_secret_active_for_24_hours else 0.0
    return answer(WebhookEndpointWithSecret.revealing(endpoints.rotate(endpoint, None, keep)))


async def test_endpoint(request: Request) -> Response:
    """Send one signed stand-in event of the asked type to the endpoint now, and say what the receiver answered."""
    body = await read_body(request, TestWebhookEndpoint)
    svc = services(request)
    endpoint = svc.endpoints.of_project(project(request), _endpoint_id(request))
    event = RecordedEvent(
        id=svc.ids.event(),
        type=body.event_type,
        created_at=int(svc.clock.now()),
        data=EventData(**sample_data(body.event_type, svc.ids)),
        project=project(request),
    )
    attempt = await svc.dispatcher.send_test(endpoint, event)
    if attempt.response is None:
        raise InvalidRequestError(
            f"The test event could not be delivered to {redact_url(endpoint.url)}: {attempt.error}.",
            param="webhook_endpoint_id",
            code="webhook_test_failed",
        )
    return answer(
        WebhookEndpointTestResult(
            webhook_endpoint_id=endpoint.id, event_type=body.event_type, status_code=attempt.response.status
        )
    )


# The SDK's event types never change while the server runs: serialised once.
_EVENT_TYPES_JSON = WebhookEventTypeList(data=list(EVENT_TYPES)).model_dump_json().encode()


async def list_event_types(request: Request) -> Response:
    return JSONAnswer(_EVENT_TYPES_JSON)


routes: list[Route] = [
    Route("/webhook_endpoints", create_endpoint, methods=["POST"]),
    Route("/webhook_endpoints", list_endpoints, methods=["GET"]),
    Route("/webhook_endpoints/{webhook_endpoint_id}", retrieve_endpoint, methods=["GET"]),
    Route("/webhook_endpoints/{webhook_endpoint_id}", update_endpoint, methods=["POST"]),
    Route("/webhook_endpoints/{webhook_endpoint_id}", delete_endpoint, methods=["DELETE"]),
    Route("/webhook_endpoints/{webhook_endpoint_id}/rotate_secret", rotate_secret, methods=["POST"]),
    Route("/webhook_endpoints/{webhook_endpoint_id}/test", test_endpoint, methods=["POST"]),
    Route("/webhook_event_types", list_event_types, methods=["GET"]),
]
