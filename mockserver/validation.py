"""Request parsing: JSON bodies and query values into pydantic models, failures into OpenAI's 400 messages.

The message formats follow what the real API answers for invalid arguments ("Invalid type for 'seed': expected an
integer, but got a string instead.", code `invalid_type`, `param` naming the field in dotted/indexed form).
"""

from __future__ import annotations

import json
import math
import re
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


# Documented limits of what the mock reads from JSON (README, Reliability): nesting depth, and integers within a
# signed 64-bit range, the widest the real API's integer fields take. Deeper documents made the serializer or the
# parser itself fail (RecursionError), and integers with thousands of digits failed wherever they were converted.
MAX_JSON_DEPTH = 64
MAX_JSON_INTEGER = 2**63 - 1
_INTEGER_DIGITS = len(str(MAX_JSON_INTEGER))
# A lone surrogate can only arrive as a `\\uD800`-style escape once the body has been decoded as strict UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONRefused(ValueError):
    """JSON the mock does not accept, although Python's parser would: the message says why, for a 400."""

    def __init__(self, message: str, code: str | None = "invalid_value") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > _INTEGER_DIGITS or abs(value := int(text)) > MAX_JSON_INTEGER:
        raise JSONRefused(
            f"Invalid JSON body: the integer {text[:24]}{'…' if len(text) > 24 else ''} is out of range "
            f"(integers must be within ±{MAX_JSON_INTEGER})."
        )
    return value


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(f"Invalid JSON body: the number {text[:24]} is out of range (numbers must be finite).")
    return value


def _constant(name: str) -> Any:
    raise JSONRefused(BAD_JSON_MESSAGE, code=None)  # NaN and Infinity are not JSON: the real API's parse error


def _walk(data: Any, check_strings: bool) -> None:
    """Depth and, when an escape could have made one, lone surrogates; iterative, so depth costs no recursion."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise JSONRefused(f"Invalid JSON body: nested deeper than {MAX_JSON_DEPTH} levels.")
            items = node.items() if isinstance(node, dict) else ((None, item) for item in node)
            for key, value in items:
                if check_strings and key is not None:
                    _check_unicode(key)
                stack.append((value, depth + 1))
        elif check_strings and isinstance(node, str):
            _check_unicode(node)


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONRefused(
            "Invalid JSON body: a string contains a lone surrogate escape (such as \\ud800), which is not valid "
            "Unicode."
        ) from None


def loads(body: bytes | str) -> Any:
    """Parse JSON the way every reader in the mock must: strict UTF-8, no NaN or Infinity, finite numbers, integers
    within ±(2**63 - 1), at most `MAX_JSON_DEPTH` levels, and no lone surrogates. Raises `JSONRefused` (a
    `ValueError`) for what is valid to Python but not to the mock, `ValueError` for what is not JSON at all."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body  # strict: encoded surrogates are refused here
    try:
        data = json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except RecursionError:
        raise JSONRefused(f"Invalid JSON body: nested deeper than {MAX_JSON_DEPTH} levels.") from None
    check_strings = _SURROGATE_ESCAPE.search(text) is not None
    # Cheap C-level counts first: a document with fewer brackets than the limit cannot be nested deeper than it.
    if check_strings or text.count("[") + text.count("{") > MAX_JSON_DEPTH:
        _walk(data, check_strings)
    return data


def ascii_integer(text: str) -> int | None:
    """A query or form value that is a plain integer in the JSON range, else None (no '１２', '1_0', ' 1' or 5000
    digits, all of which `int()` accepts or chokes on)."""
    digits = text.removeprefix("-")
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > _INTEGER_DIGITS:
        return None
    value = int(text)
    return value if abs(value) <= MAX_JSON_INTEGER else None


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A request body that must be one JSON object."""
    if not body.strip():
        raise InvalidRequestError(
            "You must provide a JSON body with this request. The OpenAI API expects a JSON object.",
            code="missing_body",
        )
    try:
        data = loads(body)
    except JSONRefused as exc:
        raise InvalidRequestError(exc.message, code=exc.code) from None
    except ValueError:  # UnicodeDecodeError is one
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
