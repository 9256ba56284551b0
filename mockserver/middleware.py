"""The ASGI layer in front of the routes.

Everything that applies to each request happens here in one pass: the `x-request-id` and `openai-*` headers, the body
limit, due state changes on the real clock, and for the OpenAI surface the fault rules, the key check and the
journal. One layer rather than one per concern because each layer costs its own call frame and send and receive
wrappers on every message, and the request path is what every test waits on. Each concern's logic lives in its own
module (`faults`, `auth`, `journal`); this only puts them in order.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, cast

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import clock as clocks
from mockserver.answers import ReadKey
from mockserver.auth import Access, UrlStyle, authenticate
from mockserver.errors import APIError, AuthenticationError, RequestTooLargeError
from mockserver.handlers import error_response, on_http_error, unexpected_error
from mockserver.http import JSONAnswer
from mockserver.injection import inject
from mockserver.journal import KEPT_BODY_BYTES, Journal
from mockserver.routing import RouteTable
from mockserver.services import Services

OPENAI_VERSION = b"2020-10-01"
# Methods that change nothing, so leave the answer cache as it is.
_READS = frozenset({"GET", "HEAD"})


def _url_style(path: str) -> UrlStyle | None:
    """Which OpenAI surface a path is on, or None for the control API and unknown prefixes."""
    if path.startswith("/v1/"):
        return "openai"
    if path.startswith("/openai/"):
        return "azure" if path.startswith("/openai/v1/") else "azure_classic"
    return None


class Envelope:
    """In order: request id and response headers, the body limit (declared and counted), due state changes on the
    real clock; then on `/v1`, `/openai/v1` and `/openai`: the key check (the caller's project goes in
    `scope["state"]["project"]`), a matching fault, and a journal record of the request whatever its outcome."""

    def __init__(self, app: ASGIApp, services: Services, routes: RouteTable) -> None:
        self.app = app
        self.services = services
        self.routes = routes
        self.organization = services.fakes.organization_id.encode()
        # Request ids need only be unique, not secret or seeded (a seeded run's object ids must not depend on how
        # many requests were made): a PRNG of its own, far cheaper than `uuid4()`'s system call.
        self._request_ids = random.Random()
        # Fixed for the app's life, so read once rather than on every request.
        self._limit = services.settings.max_body_bytes
        self._access = Access.of(services.settings.api_keys, services.settings.project_per_key)
        self._real_clock = services.clock.mode == "real"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        services = self.services
        style = _url_style(scope["path"])
        journal = services.journal if style is not None and services.journal.enabled else None
        exchange = _Exchange(self, scope, receive, send, keep_body=journal is not None)
        task = services.shutdown.enter(scope)
        at = services.clock.now() if journal is not None else 0.0
        # A request that may change state empties the answer cache before it is served, and again after, in case
        # a read cached what the request had half done while it awaited (a body, a receiver).
        changes = scope["method"] not in _READS
        if changes:
            services.answers.clear()
        try:
            await self._serve(exchange, style)
        except asyncio.CancelledError:
            if not services.shutdown.was_abandoned(task):
                raise
            if exchange.status == 0:  # the shutdown deadline passed: a last answer, if this one has not started its own
                await exchange.answer(_shutting_down())
        except ClientDisconnect:
            pass  # the client went away mid-request: its doing, journaled with status 0, and nobody to answer
        except Exception as exc:
            # Caught here rather than left to starlette's outermost handler, which re-raises after answering:
            # uvicorn would then log a second traceback and close a connection the 500 said was kept alive.
            response = unexpected_error(services, scope, exchange.request_id, exc)
            if exchange.status == 0:
                await response(scope, receive, exchange.send)
        finally:
            if changes:
                services.answers.clear()
            services.shutdown.leave(task)
            if journal is not None:
                exchange.record(journal, at)

    async def _serve(self, exchange: _Exchange, style: UrlStyle | None) -> None:
        """The request's way in: the declared size, due state changes, then on the OpenAI surface the key (first: a
        request the real API would refuse never reaches, or uses up, a fault rule) and a matching fault."""
        services, scope = self.services, exchange.scope
        declared = exchange.headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._limit:
            await exchange.answer(_too_large(self._limit))
            return
        if self._real_clock:
            services.scheduler.run_due(services.clock.now())
        if style is not None:
            try:
                scope["state"]["project"] = authenticate(exchange.headers, scope["query_string"], style, self._access)
            except APIError as exc:
                await exchange.answer(exc)
                return
            fault = services.faults.match(scope["method"], scope["path"])
            if fault is not None and await inject(
                fault, services.fakes.organization_id, scope, exchange.raw_receive, exchange.send
            ):
                return
            read: ReadKey | None = None
            if scope["method"] == "GET":
                read = (scope["path"], scope["query_string"], scope["state"]["project"])
                answered = services.answers.read(read)
                if answered is not None and not services.answers.checking:
                    await exchange.send_json(JSONAnswer(answered))
                    return
            found = self.routes.find(scope)
            if found is not None:
                await self._dispatch(exchange, *found, read)
                return
        await self.app(scope, exchange.receive, exchange.send)

    async def _dispatch(self, exchange: _Exchange, route: Route, child_scope: Scope, read: ReadKey | None) -> None:
        """An OpenAI-surface request straight to its endpoint: the work of starlette's router, exception middleware
        and `request_response`, without their layers (an endpoint's errors are this envelope's to answer anyway).
        `read`: a GET's key in the answer cache, where its answer is remembered."""
        scope = exchange.scope
        scope.update(child_scope)
        scope["route"] = route
        request = _APIRequest(scope, exchange.receive, exchange.send)
        try:
            response = await route.endpoint(request)
        except APIError as exc:
            response = error_response(exc)
        except HTTPException as exc:
            response = await on_http_error(request, exc)
        answers = self.services.answers
        if scope["method"] not in _READS:
            answers.clear()  # what it changed shows at once, not only once its answer (or stream) has been sent
        if type(response) is JSONAnswer:
            if read is not None and response.status_code == 200:
                answers.remember(read, cast(bytes, response.body))  # a JSONAnswer's body is bytes
            await exchange.send_json(response)
        else:
            await response(scope, exchange.receive, exchange.send)


class _NoQuery(QueryParams):
    """The query of a request without one: immutable, so one instance serves them all, and `get()` answers its
    default at once instead of failing a lookup through `Mapping.get` (lists ask for four parameters)."""

    def get(self, key: Any, default: Any = None) -> Any:
        return default


_NO_QUERY = _NoQuery()


class _APIRequest(Request):
    """A request on the OpenAI surface. Most have no query string, and parsing an empty one into a fresh
    `QueryParams` cost a list's handler more than its pagination."""

    @property
    def query_params(self) -> QueryParams:
        if not self.scope["query_string"]:
            return _NO_QUERY
        return super().query_params


class _Exchange:
    """One request passing through the envelope: its id, what it has sent and received so far, and the journal
    record that comes of it. The `send` and `receive` it hands the app add the response headers and count the
    body."""

    __slots__ = (
        "envelope", "scope", "raw_receive", "raw_send", "keep_body", "started", "request_id", "headers", "status",
        "finished", "received", "size",
    )  # fmt: skip

    def __init__(self, envelope: Envelope, scope: Scope, receive: Receive, send: Send, *, keep_body: bool) -> None:
        self.envelope = envelope
        self.scope = scope
        self.raw_receive = receive
        self.raw_send = send
        self.keep_body = keep_body
        self.started = clocks.elapsed()
        self.request_id = f"req_{envelope._request_ids.getrandbits(128):032x}"
        state = scope.setdefault("state", {})
        state["request_id"] = self.request_id
        state["services"] = envelope.services
        # ASGI servers lowercase header names; the first of repeated headers wins, as in starlette's `Headers.get`.
        self.headers: dict[bytes, bytes] = dict(reversed(scope["headers"]))
        self.status = 0
        self.finished = False  # the last body message was sent: a response that never finishes was dropped
        self.received: list[bytes] = []
        self.size = 0

    def _headers(self, own: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """A response's headers and the four the real API adds to every one."""
        processing_ms = str(int((clocks.elapsed() - self.started) * 1000)).encode()
        return [
            *own,
            (b"x-request-id", self.request_id.encode()),
            (b"openai-version", OPENAI_VERSION),
            (b"openai-organization", self.envelope.organization),
            (b"openai-processing-ms", processing_ms),
        ]

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            self.finished = not message.get("more_body", False)
        elif message["type"] == "http.response.start":
            self.status = message["status"]
            message["headers"] = self._headers(message.get("headers", []))
        await self.raw_send(message)

    async def send_json(self, answer: JSONAnswer) -> None:
        """What `send` does to a JSON answer's two messages, sent straight to the server (most answers are JSON,
        and each wrapper on the way cost a call per message)."""
        self.status = answer.status_code
        headers = self._headers(answer.raw_headers)
        await self.raw_send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
        await self.raw_send({"type": "http.response.body", "body": answer.body})
        self.finished = True

    async def receive(self) -> Message:
        message = await self.raw_receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            # Only what the journal keeps is held here: a 200 MB upload must not cost another 200 MB.
            if self.keep_body and self.size <= KEPT_BODY_BYTES:
                self.received.append(chunk[: KEPT_BODY_BYTES + 1 - self.size])
            self.size += len(chunk)
            if self.size > self.envelope._limit:
                raise _too_large(self.envelope._limit)
        return message

    async def answer(self, error: APIError) -> None:
        await error_response(error)(self.scope, self.raw_receive, self.send)

    def record(self, journal: Journal, at: float) -> None:
        scope = self.scope
        journal.add(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b""),
            status=self.status if self.finished else 0,
            size=self.size,
            project=scope["state"].get("project"),
            at=at,
            duration_ms=(clocks.elapsed() - self.started) * 1000,
            body=b"".join(self.received),
            content_type=self.headers.get(b"content-type", b"").decode("latin-1"),
        )


def _too_large(limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(
        f"Request body too large: the limit is {limit} bytes.", code="request_too_large", param=None
    )


def _shutting_down() -> APIError:
    return APIError(
        "The server is shutting down and abandoned this request.",
        status_code=503,
        type="server_error",
        code="shutting_down",
        headers={"connection": "close"},
    )


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
