"""Who is calling: the API key check of each URL style, and the project that owns what the caller creates."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

from mockserver.errors import AuthenticationError, InvalidRequestError, NotFoundError

# `azure` is the v1 surface (`/openai/v1/...`); `azure_classic` the dated one (`/openai/...?api-version=...`).
UrlStyle = Literal["openai", "azure", "azure_classic"]

# The project every key shares when a request sends no `OpenAI-Project` (as the keys of one real project share its
# objects). A name a client can also send as `OpenAI-Project`, so that it stays reachable with `--project-per-key`.
DEFAULT_PROJECT = "proj_default"

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
# The real API's answer to an `OpenAI-Project` header naming a project the key does not belong to (401).
MISMATCHED_PROJECT_MESSAGE = "OpenAI-Project header should match project for API key"
AZURE_API_VERSIONS = ("v1", "preview")
# The classic surface takes Azure's dated versions (`2024-10-21`, `2025-04-01-preview`) and `preview`.
_CLASSIC_API_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?|preview")


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


@functools.lru_cache(maxsize=1024)  # a hash per request would be the envelope's dearest step; keys are few
def key_project(key: str) -> str:
    """The project of a key of its own (`--project-per-key`): named from a hash, so no key shows in any output."""
    return "proj_key_" + hashlib.sha256(key.encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=256)  # every Azure request parses it, and clients send the same few query strings
def _api_version(query_string: bytes) -> str | None:
    if not query_string:
        return None
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return next((value for key, value in pairs if key == "api-version"), None)


def parse_api_key(entry: str) -> tuple[str, tuple[str, ...]]:
    """`KEY` or `KEY=PROJECT[,PROJECT…]` (what `--api-key` takes): the key and the projects it is bound to."""
    key, sep, projects = entry.partition("=")
    names = tuple(name.strip() for name in projects.split(",")) if sep else ()
    if not key.strip() or any(not name for name in names) or (sep and not names):
        raise ValueError(f"expected KEY or KEY=PROJECT[,PROJECT...], got {mask_key(entry)!r}")
    return key.strip(), names


@dataclass(frozen=True)
class Access:
    """The accepted keys (none: any key), the projects keys are bound to, and where a key without a header goes."""

    keys: frozenset[str] = frozenset()
    bound: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    project_per_key: bool = False

    @classmethod
    def of(cls, entries: Iterable[str], project_per_key: bool = False) -> Access:
        parsed = [parse_api_key(entry) for entry in entries]
        bound: dict[str, tuple[str, ...]] = {}
        for key, projects in parsed:
            if projects:
                bound[key] = bound.get(key, ()) + projects
        return cls(frozenset(key for key, _ in parsed), bound, project_per_key)

    def project(self, key: str, requested: str | None) -> str:
        allowed = self.bound.get(key)
        if allowed is not None:
            if requested is None:
                return allowed[0]  # a bound key without the header acts in its first project
            if requested not in allowed:
                raise AuthenticationError(MISMATCHED_PROJECT_MESSAGE, code="mismatched_project")
            return requested
        if requested is not None:
            return requested
        return key_project(key) if self.project_per_key else DEFAULT_PROJECT


def _check_api_version(query_string: bytes, style: UrlStyle) -> None:
    version = _api_version(query_string)
    if style == "azure":
        if version is not None and version not in AZURE_API_VERSIONS:
            raise InvalidRequestError(
                f"API version not supported: '{version}'. The /openai/v1 API accepts api-version 'v1' or 'preview'.",
                param="api-version",
                code="BadRequest",
            )
    elif version is None:
        # What Azure answers a dated-surface request without `api-version`.
        raise NotFoundError("Resource not found", code="404")
    elif not _CLASSIC_API_VERSION.fullmatch(version):
        raise InvalidRequestError("API version not supported", param="api-version", code="BadRequest")


def authenticate(headers: RawHeaders, query_string: bytes, style: UrlStyle, access: Access) -> str:
    """Check the key and return the caller's project (see `Access.project`)."""
    if style == "openai":
        key = _bearer(headers)
        if key is None:
            raise AuthenticationError(NO_KEY_MESSAGE)
        if access.keys and key not in access.keys:
            raise AuthenticationError(
                f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
                headers={"www-authenticate": 'Bearer realm="OpenAI API"'},
            )
    else:
        _check_api_version(query_string, style)
        key = _header(headers, b"api-key") or _bearer(headers)
        if key is None or (access.keys and key not in access.keys):
            raise AuthenticationError(AZURE_DENIED_MESSAGE, code="401")
    return access.project(key, _header(headers, b"openai-project"))
