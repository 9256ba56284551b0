"""Reading the video routes' bodies, which come as JSON or as a multipart form (the SDK always sends a form, with
a file or without): form fields such as `input_reference[image_url]` become the nested object JSON would have,
and uploads are set aside by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request

from mockserver.errors import InvalidRequestError
from mockserver.validation import parse_json_object, validate

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Body(Generic[M]):
    fields: M
    uploads: dict[str, bytes]


def _nest(name: str, value: str, into: dict[str, Any]) -> None:
    """`a[b]` → `{"a": {"b": value}}`; a name that is both a value and an object is refused."""
    head, _, rest = name.partition("[")
    if not rest:
        into[name] = value
        return
    inner = into.setdefault(head, {})
    if not isinstance(inner, dict) or not rest.endswith("]") or rest.startswith("]"):
        raise InvalidRequestError(f"Invalid form field: '{name}'.", param=name, code="invalid_value")
    _nest(rest.replace("]", "", 1), value, inner)  # "b][c]" -> "b[c]", "b]" -> "b"


async def read_form_or_json(request: Request, model: type[M], *, files: tuple[str, ...]) -> Body[M]:
    """The body as `model`, with the uploads of the fields in `files` (any other upload is refused)."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type in ("application/json", "") or content_type.endswith("+json"):
        return Body(validate(model, parse_json_object(await request.body())), {})
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise InvalidRequestError(
            f"Invalid Content-Type header ({content_type}), expected multipart/form-data or application/json.",
            code="invalid_content_type",
        )
    data: dict[str, Any] = {}
    uploads: dict[str, bytes] = {}
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name not in files:
                    raise InvalidRequestError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
                uploads[name] = await value.read()
            else:
                _nest(name, value, data)
    return Body(validate(model, data), uploads)
