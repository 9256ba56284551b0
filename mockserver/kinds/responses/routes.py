from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errors import InvalidRequestError
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
from mockserver.kinds.responses.lifecycle import ResponseLifecycle
from mockserver.kinds.responses.output import input_text, tokens
from mockserver.kinds.responses.schemas import CreateResponse, InputTokenCount, ResponseInputs
from mockserver.kinds.responses.streaming import event_stream, follow, replay
from mockserver.pagination import cursor_list, read_order
from mockserver.schemas.common import DeletedResponse
from mockserver.validation import ascii_integer


def responses(request: Request) -> ResponseLifecycle:
    return services(request).lifecycle(ResponseLifecycle)


def _flag(query: QueryParams, name: str) -> bool:
    raw = query.get(name, "false")
    if raw not in ("true", "false"):
        raise InvalidRequestError(
            f"Invalid type for '{name}': expected a boolean, but got a string instead ('{raw}').",
            param=name,
            code="invalid_type",
        )
    return raw == "true"


def _starting_after(query: QueryParams, sent: int) -> int:
    """The number of the last event the client has, of the `sent` so far; -1 when it has none."""
    raw = query.get("starting_after")
    if raw is None:
        return -1
    number = ascii_integer(raw)
    if number is None or number < 0:
        raise InvalidRequestError(
            f"Invalid 'starting_after': expected a non-negative integer, but got '{raw}' instead.",
            param="starting_after",
            code="invalid_value",
        )
    if number >= sent:
        raise InvalidRequestError(
            f"Invalid 'starting_after': {number} is beyond the stream, whose last event so far is {sent - 1}.",
            param="starting_after",
            code="invalid_value",
        )
    return number


async def create_response(request: Request) -> Response:
    body = await read_body(request, CreateResponse)
    lifecycle = responses(request)
    owner = project(request)
    created, events = lifecycle.create(owner, body, scenario=request.headers.get(SCENARIO_HEADER))
    if not body.stream:
        return answer(created)
    if not created.background:
        return event_stream(replay(events))
    return event_stream(follow(lifecycle, lambda: responses(request), owner, created.id, 0))


async def retrieve_response(request: Request) -> Response:
    lifecycle, owner, response_id = responses(request), project(request), request.path_params["response_id"]
    response = lifecycle.get(owner, response_id)
    if not _flag(request.query_params, "stream"):
        return answer_kept(request, response)
    if not response.background:
        raise InvalidRequestError(
            "Only responses created with background=true can be streamed after creation.", param="stream"
        )
    after = _starting_after(request.query_params, len(lifecycle.events(owner, response_id)))
    return event_stream(follow(lifecycle, lambda: responses(request), owner, response_id, after + 1))


async def cancel_response(request: Request) -> Response:
    await read_optional_body(request)
    return answer(responses(request).cancel(project(request), request.path_params["response_id"]))


async def delete_response(request: Request) -> Response:
    response_id = request.path_params["response_id"]
    responses(request).delete(project(request), response_id)
    return answer(DeletedResponse(id=response_id, object="response", deleted=True))


async def list_input_items(request: Request) -> Response:
    items = responses(request).items(project(request), request.path_params["response_id"])
    ordered = items if read_order(request.query_params, default="desc") == "asc" else items[::-1]
    return answer_kept_list(request, cursor_list(((item.id, item) for item in ordered), request.query_params))


async def count_input_tokens(request: Request) -> Response:
    body = await read_body(request, ResponseInputs, optional=True)
    return answer(InputTokenCount(input_tokens=tokens(input_text(body))))


routes: list[Route] = [
    Route("/responses/input_tokens", count_input_tokens, methods=["POST"]),
    Route("/responses", create_response, methods=["POST"]),
    Route("/responses/{response_id}", retrieve_response, methods=["GET"]),
    Route("/responses/{response_id}", delete_response, methods=["DELETE"]),
    Route("/responses/{response_id}/cancel", cancel_response, methods=["POST"]),
    Route("/responses/{response_id}/input_items", list_input_items, methods=["GET"]),
]
