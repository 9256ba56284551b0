"""ASGI middleware: response headers and body limit for everything, auth for the API mounts, the admin token for
the control API."""

from __future__ import annotations

import uuid

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import clock as clocks
from mockserver.auth import UrlStyle, authenticate
from mockserver.errors import APIError, AuthenticationError, RequestTooLargeError
from mockserver.handlers import error_response
from mockserver.services import Services

OPENAI_VERSION = b"2020-10-01"


class Envelope:
    """Outermost layer: `x-request-id` and the `openai-*` headers on every response, the request body size limit,
    and, on the real clock, the due state changes applied before the request can observe anything."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self.organization = services.fakes.organization_id.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = clocks.elapsed()
        request_id = "req_" + uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        organization = self.organization

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                processing_ms = str(int((clocks.elapsed() - started) * 1000)).encode()
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    (b"openai-version", OPENAI_VERSION),
                    (b"openai-organization", organization),
                    (b"openai-processing-ms", processing_ms),
                ]
            await send(message)

        limit = self.services.settings.max_body_bytes
        declared = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"content-length"), "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(_too_large(limit))(scope, receive, send_with_headers)
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        if self.services.clock.mode == "real":
            self.services.scheduler.run_due(self.services.clock.now())
        await self.app(scope, counted_receive, send_with_headers)


def _too_large(limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"Request body too large: the limit is {limit} bytes.", code="request_too_large", param=None
    )


class ApiAuth:
    """The OpenAI surface's key check; puts the caller's project in `request.state.project`."""

    def __init__(self, app: ASGIApp, services: Services, style: UrlStyle) -> None:
        self.app = app
        self.services = services
        self.style = style

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            project = authenticate(HTTPConnection(scope), self.style, self.services.settings.api_keys)
        except APIError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["project"] = project
        await self.app(scope, receive, send)


class AdminAuth:
    """`/_mock` requires `Authorization: Bearer <admin token>` when the server was given one."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = self.services.settings.admin_token
        if scope["type"] == "http" and token is not None:
            header = HTTPConnection(scope).headers.get("authorization", "")
            if header != f"Bearer {token}":
                error = AuthenticationError(
                    "The control API requires 'Authorization: Bearer <admin token>' (the server's --admin-token).",
                    code="invalid_admin_token",
                )
                await error_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
