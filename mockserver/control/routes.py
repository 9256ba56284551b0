from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.control import traffic, webhooks
from mockserver.errors import InvalidRequestError
from mockserver.routes._helpers import answer, read_json, services
from mockserver.schemas.control import (
    Advance,
    Advanced,
    ClockState,
    ForceBatchTransition,
    ForceJobTransition,
    ForceRunTransition,
    Health,
    TransitionRecord,
)


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


async def transition_batch(request: Request) -> Response:
    body = await read_json(request, ForceBatchTransition)
    batch = services(request).batches.force(request.path_params["batch_id"], body.status, errors=body.errors)
    return answer(batch)


async def transition_run(request: Request) -> Response:
    body = await read_json(request, ForceRunTransition)
    runs, params = services(request).eval_runs, request.path_params
    found = runs.collection().get_any(params["run_id"])
    if found is None or found[1].eval_id != params["eval_id"]:
        raise runs.not_found(params["run_id"])
    return answer(runs.force(params["run_id"], body.status, error=body.error))


async def transition_job(request: Request) -> Response:
    svc = services(request)
    body = await read_json(request, ForceJobTransition)
    return answer(svc.fine_tuning.force(request.path_params["job_id"], body.status, error=body.error))


routes: list[BaseRoute] = [
    *webhooks.routes,
    *traffic.routes,
    Route("/health", health, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/clock", clock, methods=["GET"]),
    Route("/clock/advance", advance, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/transition", transition_job, methods=["POST"]),
    Route("/batches/{batch_id}/transition", transition_batch, methods=["POST"]),
    Route("/evals/{eval_id}/runs/{run_id}/transition", transition_run, methods=["POST"]),
]
