"""Who is calling: the API key check of each URL style, and the project that owns what the caller creates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qsl

from mockserver.errors import AuthenticationError, InvalidRequestError

UrlStyle = Literal["openai", "azure"]

NO_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth "
    "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API "
    "from your browser and are prompted for a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
AZURE_DENIED_MESSAGE = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
    "active subscription and use a correct regional API endpoint for your resource."
)
AZURE_API_VERSIONS = ("v1", "preview")


# Request headers as the envelope hands them over: ASGI's lowercase names, undecoded values.
RawHeaders = Mapping[bytes, bytes]


def _header(headers: RawHeaders, name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


def _bearer(headers: RawHeaders) -> str | None:
    header = _header(headers, b"authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def mask_key(key: str) -> str:
    """How the real API quotes a wrong key: its start and last four characters."""
    if len(key) <= 8:
        return "*" * len(key)
    return f"{key[:3]}*{'*' * 4}{key[-4:]}"


def _query_value(query_string: bytes, name: str) -> str | None:
    if not query_string:
        return None
    return next(
        (value for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True) if key == name), None
    )


def authenticate(headers: RawHeaders, query_string: bytes, style: UrlStyle, api_keys: tuple[str, ...]) -> str:
    """Check the key and return the caller's project: the `OpenAI-Project` header when sent, else the key."""
    if style == "azure":
        version = _query_value(query_string, "api-version")
        if version is not None and version not in AZURE_API_VERSIONS:
            raise InvalidRequestError(
                f"API version not supported: '{version}'. The /openai/v1 API accepts api-version 'v1' or 'preview'.",
                param="api-version",
                code="BadRequest",
            )
        key = _header(headers, b"api-key") or _bearer(headers)
        if key is None or (api_keys and key not in api_keys):
            raise AuthenticationError(AZURE_DENIED_MESSAGE, code="401")
    else:
        key = _bearer(headers)
        if key is None:
            raise AuthenticationError(NO_KEY_MESSAGE)
        if api_keys and key not in api_keys:
            raise AuthenticationError(
                f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
                headers={"www-authenticate": 'Bearer realm="OpenAI API"'},
            )
    return _header(headers, b"openai-project") or key
