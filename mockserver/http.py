"""What every handler does: find the services and the caller's project, read a body, answer a model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from mockserver.errors import InvalidRequestError
from mockserver.schemas.common import ListResponse
from mockserver.validation import parse_json_object, validate

if TYPE_CHECKING:
    # Only for the annotation: the kinds' routes import this module, and `Services` builds the kinds.
    from mockserver.services import Services

M = TypeVar("M", bound=BaseModel)

# The request header that chooses an object's outcome at create time (DESIGN §3).
SCENARIO_HEADER = "x-mock-scenario"


def services(request: Request) -> Services:
    # Put in the request's state by the envelope: a dict lookup, where the app's `State` is an attribute lookup
    # that falls back to `__getattr__`, on every request.
    return cast("Services", request.scope["state"]["services"])


def project(request: Request) -> str:
    """The caller's project, which the envelope put in the request state when it checked the key."""
    return cast(str, request.scope["state"]["project"])


class JSONAnswer(Response):
    """A JSON body already serialised: starlette's `Response` with only the headers a JSON answer needs, set
    directly (its general header handling was a tenth of a retrieve's time)."""

    media_type = "application/json"

    def __init__(self, body: bytes, status_code: int = 200) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]


def answer(model: BaseModel, status_code: int = 200) -> Response:
    # Nulls are kept: the real API sends them, and clients read them.
    return JSONAnswer(model.__pydantic_serializer__.to_json(model), status_code)


def answer_kept(request: Request, obj: BaseModel, status_code: int = 200) -> Response:
    """An object the mock keeps (a job, a batch, a file): its JSON comes from the app's answer cache, serialised
    once per state (`mockserver.answers`)."""
    return JSONAnswer(services(request).answers.json(obj), status_code)


def answer_kept_list(request: Request, response: ListResponse[Any]) -> Response:
    """A page of kept objects, each item's JSON from the answer cache."""
    return JSONAnswer(services(request).answers.list_json(response))


async def read_body(request: Request, model: type[M], *, optional: bool = False) -> M:
    """An OpenAI-surface body: JSON, with a content type that says so (the real API refuses others). `optional`:
    every parameter has a default, so no body at all means all of them (what the SDK sends when none is given)."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "") and not content_type.endswith("+json"):
        raise InvalidRequestError(
            f"Invalid Content-Type header ({content_type}), expected application/json.", code="invalid_content_type"
        )
    return await read_json(request, model, optional=optional)


async def read_json(request: Request, model: type[M], *, optional: bool = False) -> M:
    """A control-API body: JSON whatever the content type says, so that `curl -d '{...}'` (which labels its body
    as a form) works as typed. The control API is the mock's own, with no real API to be faithful to."""
    body = await request.body()
    return validate(model, {} if optional and not body.strip() else parse_json_object(body))


async def read_optional_body(request: Request) -> None:
    """Endpoints without parameters (cancel, pause): an empty body or `{}` is fine, anything else is refused."""
    # Read off the raw headers: starlette's `Headers` would cost more than the rest of a cancel's request handling.
    headers = dict(request.scope["headers"])
    if headers.get(b"content-length", b"0") == b"0" and b"transfer-encoding" not in headers:
        return  # what the SDK sends: nothing to read
    body = await request.body()
    if body.strip():
        data = parse_json_object(body)
        if data:
            name = next(iter(data))
            raise InvalidRequestError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
