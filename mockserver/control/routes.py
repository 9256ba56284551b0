from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.control import checks, objects, reports, traffic, webhooks
from mockserver.errors import InvalidRequestError, NotFoundError
from mockserver.http import answer, read_json, services
from mockserver.kinds import KINDS
from mockserver.kinds.kind import Kind
from mockserver.schemas.control import Advance, Advanced, ClockState, Health, TransitionRecord


async def health(request: Request) -> Response:
    return answer(Health())


async def reset(request: Request) -> Response:
    services(request).reset_and_reload()
    return answer(Health())


async def clock(request: Request) -> Response:
    svc = services(request)
    return answer(ClockState(mode=svc.clock.mode, now=svc.clock.now()))


async def advance(request: Request) -> Response:
    svc = services(request)
    body = await read_json(request, Advance)
    if svc.clock.mode != "manual":
        raise InvalidRequestError(
            "The clock is real: time moves by itself. Start the server with --clock manual to advance it.",
            code="clock_not_manual",
        )
    with svc.runtime.capture() as transitions:
        await svc.scheduler.advance_to(svc.clock.now() + body.seconds)
    records = [
        TransitionRecord(object=t.object, id=t.id, from_=t.source, to=t.target, at=int(t.at)) for t in transitions
    ]
    return answer(Advanced(now=svc.clock.now(), transitions=records))


def _transition(kind: Kind) -> Callable[[Request], Awaitable[Response]]:
    """The handler of a kind's forced-transition route (`Kind.transition_route`)."""

    async def transition(request: Request) -> Response:
        body = await read_json(request, kind.transition_body)
        return answer(services(request).lifecycles[kind.name].force_at(request.path_params, body))

    return transition


async def transition_any(request: Request) -> Response:
    """`POST /_mock/objects/{id}/transition`: any kind's object, found by the format of its id."""
    object_id = request.path_params["id"]
    lifecycle = services(request).lifecycle_of(object_id)
    if lifecycle is None:
        raise NotFoundError(f"No object of any kind has the id '{object_id}'.", param="id", code="object_not_found")
    body = await read_json(request, lifecycle.kind.transition_body)
    return answer(lifecycle.force(object_id, body.status, **body.details()))


routes: list[BaseRoute] = [
    *webhooks.routes,
    *checks.routes,
    *reports.routes,
    *traffic.routes,
    *objects.routes,
    Route("/health", health, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/clock", clock, methods=["GET"]),
    Route("/clock/advance", advance, methods=["POST"]),
    Route("/objects/{id}/transition", transition_any, methods=["POST"]),
    *(Route(kind.transition_route, _transition(kind), methods=["POST"]) for kind in KINDS),
]
