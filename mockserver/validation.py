"""Request parsing: JSON bodies and query values into pydantic models, failures into OpenAI's 400 messages.

The message formats follow what the real API answers for invalid arguments ("Invalid type for 'seed': expected an
integer, but got a string instead.", code `invalid_type`, `param` naming the field in dotted/indexed form).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from mockserver.errors import InvalidRequestError

M = TypeVar("M", bound=BaseModel)

BAD_JSON_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble "
    "figuring out how to fix this, please contact us through our help center at help.openai.com.)"
)

_TYPE_NAMES = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a decimal",
    "float_parsing": "a decimal",
    "string_type": "a string",
    "bool_type": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}


def json_type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def param_path(loc: Sequence[int | str]) -> str:
    """('integrations', 0, 'wandb', 'project') -> 'integrations[0].wandb.project'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


PARAM = "<param>"


def custom_error(code: str, message: str) -> PydanticCustomError:
    """An error a validator raises with OpenAI's code and final message, where `PARAM` stands for the field's path."""
    # Braces would be read as pydantic's template fields.
    return PydanticCustomError(code, message.replace("{", "(").replace("}", ")"))


def _describe(error: ErrorDetails, param: str) -> tuple[str, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "missing_required_parameter", f"Missing required parameter: '{param}'."
    if kind == "extra_forbidden":
        return "unknown_parameter", f"Unknown parameter: '{param}'."
    if kind in _TYPE_NAMES:
        return "invalid_type", (
            f"Invalid type for '{param}': expected {_TYPE_NAMES[kind]}, but got {json_type_name(value)} instead."
        )
    if kind == "string_too_long":
        return "string_above_max_length", (
            f"Invalid '{param}': string too long. Expected a string with maximum length {ctx['max_length']}, "
            f"but got a string with length {len(str(value))} instead."
        )
    if kind == "string_too_short":
        return "empty_string", (
            f"Invalid '{param}': empty string. Expected a string with minimum length {ctx['min_length']}, "
            "but got an empty string instead."
        )
    if kind in ("too_long", "too_short"):
        bound = "maximum" if kind == "too_long" else "minimum"
        limit = ctx.get("max_length", ctx.get("min_length"))
        code = "array_above_max_length" if kind == "too_long" else "array_below_min_length"
        return code, (
            f"Invalid '{param}': array too {'long' if kind == 'too_long' else 'short'}. Expected an array with "
            f"{bound} length {limit}, but got an array with length {ctx.get('actual_length')} instead."
        )
    if kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
        number = "integer" if isinstance(value, int) else "decimal"
        above = kind.startswith("less")
        op = {"less_than_equal": "<=", "less_than": "<", "greater_than_equal": ">=", "greater_than": ">"}[kind]
        limit = next(iter(ctx.values()))
        return f"{number}_{'above_max' if above else 'below_min'}_value", (
            f"Invalid '{param}': {number} {'above maximum' if above else 'below minimum'} value. "
            f"Expected a value {op} {limit}, but got {value} instead."
        )
    if kind in ("literal_error", "enum"):
        return "invalid_value", f"Invalid value: '{value}'. Supported values are: {ctx.get('expected')}."
    return "invalid_value", f"Invalid '{param}': {error['msg']}."


def _clean_loc(loc: Sequence[int | str], data: object) -> list[int | str]:
    """Drop the parts of a pydantic location that are not in the request (union member and validator tags)."""
    node = data
    out: list[int | str] = []
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and isinstance(part, str):
            if part in node:
                out.append(part)
                node = node[part]
            elif last:
                out.append(part)  # a missing or unknown field: it is named even though it is not there
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
    return out


def from_validation_error(
    exc: ValidationError, data: object, *, prefix: Sequence[str | int] = ()
) -> InvalidRequestError:
    """The first pydantic error, as the real API reports one problem at a time."""
    error = exc.errors(include_url=False)[0]
    param = param_path([*prefix, *_clean_loc(error["loc"], data)]) or None
    if error["type"] in _CUSTOM_CODES:
        return InvalidRequestError(error["msg"].replace(PARAM, param or "body"), param=param, code=error["type"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        param = f"{param}.type" if param else "type"
        if error["type"] == "union_tag_not_found":
            return InvalidRequestError(
                f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
            )
        ctx = error.get("ctx") or {}
        return InvalidRequestError(
            f"Invalid value: '{ctx.get('tag')}'. Supported values are: {ctx.get('expected_tags')}.",
            param=param,
            code="invalid_value",
        )
    code, message = _describe(error, param or "body")
    return InvalidRequestError(message, param=param, code=code)


# Codes our own validators raise through `custom_error`; their message is already final.
_CUSTOM_CODES = {
    "invalid_value",
    "invalid_type",
    "integer_above_max_value",
    "integer_below_min_value",
    "decimal_above_max_value",
    "decimal_below_min_value",
    "string_above_max_length",
    "object_above_max_properties",
}


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A request body that must be one JSON object."""
    if not body.strip():
        raise InvalidRequestError(
            "You must provide a JSON body with this request. The OpenAI API expects a JSON object.",
            code="missing_body",
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequestError(BAD_JSON_MESSAGE) from None
    if not isinstance(data, dict):
        raise InvalidRequestError(
            f"Invalid type for 'body': expected an object, but got {json_type_name(data)} instead.",
            code="invalid_type",
        )
    return data


def validate(model: type[M], data: object, *, prefix: Sequence[str | int] = ()) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, data, prefix=prefix) from None
