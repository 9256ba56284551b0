"""Shapes shared by every resource: the error envelope, lists, metadata and the "auto"-or-number parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from mockserver.validation import PARAM, custom_error, json_type_name

T = TypeVar("T")


def _is_none(value: object) -> bool:
    return value is None


# A field the real API omits when it has no value, rather than sending null. A field-level check inside pydantic's
# serializer: a wrap serializer made every dump of the model call back into Python.
LeftOutWhenNone = Annotated[T | None, Field(exclude_if=_is_none)]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused (as the real API does) and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Wire(BaseModel):
    """A response object; extra keys are allowed so that forward-compatible fields survive a round trip."""

    model_config = ConfigDict(extra="allow")


W = TypeVar("W", bound=Wire)
_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


def kept(obj: W) -> W:
    """`obj`, made cheaper to keep for the life of the server (jobs, files, models: issue 12).

    Each pydantic object carries the set of the fields it was given (`model_fields_set`), which only requests are
    asked for (`exclude_unset` is never used on a response). From five names up a set costs 728 bytes, as much as
    the rest of a small object; a kept object shares one set, of every field of its class, instead. Assigning a
    field adds its name to that set, where it already is, so the shared set never changes.
    """
    every = _EVERY_FIELD.get(type(obj))
    if every is None:
        every = _EVERY_FIELD[type(obj)] = set(type(obj).model_fields)
    object.__setattr__(obj, "__pydantic_fields_set__", every)
    return obj


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ListResponse(BaseModel, Generic[T]):
    object: Literal["list"] = "list"
    data: list[T]
    has_more: bool


class CursorListResponse(ListResponse[T]):
    first_id: str | None
    last_id: str | None


class DeletedResponse(BaseModel):
    id: str
    object: str
    deleted: bool


def _check_metadata(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise custom_error(
            "invalid_type", f"Invalid type for '{PARAM}': expected an object, but got {json_type_name(value)} instead."
        )
    if len(value) > 16:
        raise custom_error(
            "object_above_max_properties",
            f"Invalid '{PARAM}': too many properties. Expected an object with at most 16 properties, "
            f"but got an object with {len(value)} properties instead.",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise custom_error(
                "string_above_max_length",
                f"Invalid '{PARAM}': metadata key too long. Expected a key with maximum length 64, "
                f"but got a key with length {len(key)} instead.",
            )
        if not isinstance(item, str):
            raise custom_error(
                "invalid_type",
                f"Invalid type for '{PARAM}.{key}': expected a string, but got {json_type_name(item)} instead.",
            )
        if len(item) > 512:
            raise custom_error(
                "string_above_max_length",
                f"Invalid '{PARAM}.{key}': string too long. Expected a string with maximum length 512, "
                f"but got a string with length {len(item)} instead.",
            )
    return value


Metadata = Annotated[dict[str, str] | None, BeforeValidator(_check_metadata)]


def _not_null(value: Any) -> Any:
    if value is None:
        raise custom_error("invalid_type", f"Invalid type for '{PARAM}': expected a value, but got null instead.")
    return value


# For `Annotated[X | None, NotNull] = None`: a field that may be left out but not sent as null (the spec's
# optional, non-nullable fields). Defaults are not validated, so leaving it out still gives None.
NotNull = BeforeValidator(_not_null)


def _number_check(
    *, integer: bool, minimum: float | None, maximum: float | None, exclusive_minimum: bool, allow_auto: bool
) -> Callable[[Any], Any]:
    kind = "integer" if integer else "decimal"

    def check(value: Any) -> Any:
        if allow_auto and value == "auto":
            return value
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type:
            expected = "'auto' or an integer" if integer else "'auto' or a number"
            if not allow_auto:
                expected = "an integer" if integer else "a number"
            raise custom_error(
                "invalid_type",
                f"Invalid type for '{PARAM}': expected {expected}, but got {json_type_name(value)} instead.",
            )
        if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
            op = ">" if exclusive_minimum else ">="
            raise custom_error(
                f"{kind}_below_min_value",
                f"Invalid '{PARAM}': {kind} below minimum value. Expected a value {op} {minimum:g}, "
                f"but got {value} instead.",
            )
        if maximum is not None and value > maximum:
            raise custom_error(
                f"{kind}_above_max_value",
                f"Invalid '{PARAM}': {kind} above maximum value. Expected a value <= {maximum:g}, "
                f"but got {value} instead.",
            )
        return value

    return check


def bounded(
    *,
    integer: bool,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    auto: bool = False,
) -> BeforeValidator:
    """A number within bounds (and, with `auto`, the string "auto"), refused with OpenAI's codes and messages.

    For `Annotated[int, bounded(integer=True, ...)]` or `Annotated[Literal["auto"] | float, bounded(..., auto=True)]`.
    """
    return BeforeValidator(
        _number_check(
            integer=integer, minimum=minimum, maximum=maximum, exclusive_minimum=exclusive_minimum, allow_auto=auto
        )
    )


# The longest span of server time the control API takes at once (an advance, a retry-after, a secret's overlap):
# about 100 years. Beyond it a timestamp no longer fits what clients parse (and past 1e308 it is not a number).
MAX_SECONDS = 100 * 365 * 86400
Seconds = Annotated[float, bounded(integer=False, minimum=0, maximum=MAX_SECONDS)]
