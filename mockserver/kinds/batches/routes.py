from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.http import (
    SCENARIO_HEADER,
    answer,
    answer_kept,
    answer_kept_list,
    project,
    read_body,
    read_optional_body,
    services,
)
from mockserver.kinds.batches.lifecycle import BatchLifecycle
from mockserver.kinds.batches.schemas import CreateBatch
from mockserver.pagination import cursor_list


def batches(request: Request) -> BatchLifecycle:
    return services(request).lifecycle(BatchLifecycle)


async def create_batch(request: Request) -> Response:
    body = await read_body(request, CreateBatch)
    batch = batches(request).create(project(request), body, scenario=request.headers.get(SCENARIO_HEADER))
    return answer(batch)


async def list_batches(request: Request) -> Response:
    return answer_kept_list(
        request, cursor_list(batches(request).objects.newest_first(project(request)), request.query_params)
    )


async def retrieve_batch(request: Request) -> Response:
    return answer_kept(request, batches(request).get(project(request), request.path_params["batch_id"]))


async def cancel_batch(request: Request) -> Response:
    await read_optional_body(request)
    return answer(batches(request).cancel(project(request), request.path_params["batch_id"]))


routes: list[Route] = [
    Route("/batches", create_batch, methods=["POST"]),
    Route("/batches", list_batches, methods=["GET"]),
    Route("/batches/{batch_id}", retrieve_batch, methods=["GET"]),
    Route("/batches/{batch_id}/cancel", cancel_batch, methods=["POST"]),
]
