"""`/_mock/requests` (what clients sent) and `/_mock/faults` (what the server should do to them)."""

from __future__ import annotations

import fnmatch
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.faults import CreateFault
from mockserver.http import answer, read_json, services
from mockserver.schemas.common import DeletedResponse, ListResponse


async def list_requests(request: Request) -> Response:
    query = request.query_params
    method, path, status = query.get("method"), query.get("path"), query.get("status")
    entries = [
        entry
        for entry in services(request).journal.newest_first()
        if (method is None or entry.method == method.upper())
        and (path is None or fnmatch.fnmatchcase(entry.path, path))
        and (status is None or str(entry.status) == status)
    ]
    return answer(ListResponse[Any](data=entries, has_more=False))


async def create_fault(request: Request) -> Response:
    body = await read_json(request, CreateFault)
    return answer(services(request).faults.add(body))


async def list_faults(request: Request) -> Response:
    return answer(ListResponse[Any](data=services(request).faults.all(), has_more=False))


async def clear_faults(request: Request) -> Response:
    faults = services(request).faults
    removed = faults.all()
    faults.clear()
    return answer(ListResponse[Any](data=removed, has_more=False))


async def delete_fault(request: Request) -> Response:
    fault = services(request).faults.remove(request.path_params["fault_id"])
    return answer(DeletedResponse(id=fault.id, object="mock.fault", deleted=True))


routes: list[BaseRoute] = [
    Route("/requests", list_requests, methods=["GET"]),
    Route("/faults", create_fault, methods=["POST"]),
    Route("/faults", list_faults, methods=["GET"]),
    Route("/faults", clear_faults, methods=["DELETE"]),
    Route("/faults/{fault_id}", delete_fault, methods=["DELETE"]),
]
