"""`POST /_mock/webhooks/endpoints/{id}/check`: the receiver check against a configured endpoint (its URL, secret and
event types)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.http import answer, read_json, services
from mockserver.schemas.receiver_check import CheckRequest
from mockserver.webhooks.receiver_check import acheck_receiver


async def check_endpoint(request: Request) -> Response:
    svc = services(request)
    body = await read_json(request, CheckRequest, optional=True)
    endpoint = svc.endpoints.get(request.path_params["endpoint_id"])
    report = await acheck_receiver(
        endpoint.url,
        endpoint.secret,
        events=endpoint.events,
        timeout=body.timeout or svc.settings.webhook_timeout,
        budget=body.budget,
        seed=svc.settings.seed,
    )
    return answer(report)


routes: list[BaseRoute] = [Route("/webhooks/endpoints/{endpoint_id}/check", check_endpoint, methods=["POST"])]
