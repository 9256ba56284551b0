from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.kinds.batches.schemas import Batch, CreateBatch
from mockserver.pagination import first_last_ids, paginate, read_limit
from mockserver.routes._helpers import SCENARIO_HEADER, answer, project, read_body, read_optional_body, services
from mockserver.schemas.common import CursorListResponse


async def create_batch(request: Request) -> Response:
    body = await read_body(request, CreateBatch)
    batch = services(request).batches.create(project(request), body, scenario=request.headers.get(SCENARIO_HEADER))
    return answer(batch)


async def list_batches(request: Request) -> Response:
    query = request.query_params
    limit = read_limit(query, default=20, maximum=100)
    page = paginate(
        services(request).store.batches.newest_first(project(request)), after=query.get("after"), limit=limit
    )
    first_id, last_id = first_last_ids(page, lambda batch: batch.id)
    return answer(CursorListResponse[Batch](data=page.data, has_more=page.has_more, first_id=first_id, last_id=last_id))


async def retrieve_batch(request: Request) -> Response:
    return answer(services(request).batches.get(project(request), request.path_params["batch_id"]))


async def cancel_batch(request: Request) -> Response:
    await read_optional_body(request)
    return answer(services(request).batches.cancel(project(request), request.path_params["batch_id"]))


routes: list[Route] = [
    Route("/batches", create_batch, methods=["POST"]),
    Route("/batches", list_batches, methods=["GET"]),
    Route("/batches/{batch_id}", retrieve_batch, methods=["GET"]),
    Route("/batches/{batch_id}/cancel", cancel_batch, methods=["POST"]),
]
