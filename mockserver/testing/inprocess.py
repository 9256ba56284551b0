"""`InProcessMock`: the app answers `openai.OpenAI()` / `AsyncOpenAI()` in this process, with no sockets.

Code under test that builds a client with the default base URL (`https://api.openai.com/v1`) is answered by a fresh
app. The SDK sends through `httpx` (openai 2.x) or `httpx2` (openai 3.x); both libraries' transports have the same
shape, so the same small patch routes `api.openai.com` to the app in each and passes every other host through.
(respx patches only `httpx`, and its side effects cannot tell a sync request from an async one.)

The app runs on its own event loop in a background thread (an anyio blocking portal). Sync requests block on it;
async requests await it without blocking the caller's loop. One loop for the app, whatever the caller, is what lets
sync and async clients, in sync and async tests, share one app.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import anyio.from_thread
import httpx

from mockserver.app import create_app
from mockserver.services import Services
from mockserver.settings import Settings
from mockserver.testing.controls import Harness, ServerError
from mockserver.testing.receiver import InProcessReceiver
from mockserver.webhooks.transport import DeliveryTransport

OPENAI_HOST = "api.openai.com"
_MOCK_BASE = "http://mockserver.inprocess"

Reply = tuple[int, list[tuple[bytes, bytes]], bytes]


class _Bridge:
    """Carries requests from any thread or loop to the app's own loop, and answers back."""

    def __init__(self, app: Any) -> None:
        self._portal_context = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_context.__enter__()
        # A 500 from the app must reach the caller as a response (and `check()`), not as an exception in its code.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url=_MOCK_BASE)

    async def _send(self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        response = await self._client.request(method, url, headers=headers, content=body)
        return response.status_code, response.headers.raw, response.content

    def send(self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        return self._portal.call(self._send, method, url, headers, body)

    async def asend(self, method: str, url: str, headers: list[tuple[bytes, bytes]], body: bytes) -> Reply:
        return await asyncio.wrap_future(self._portal.start_task_soon(self._send, method, url, headers, body))

    def call(self, func: Callable[[], Any]) -> Any:
        return self._portal.call(func)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._portal_context.__exit__(None, None, None)


def _target(url: Any) -> str:
    """The path and query of an outgoing URL, to send to the app."""
    query = url.query.decode() if isinstance(url.query, bytes) else str(url.query)
    path: str = url.path
    return path + (f"?{query}" if query else "")


class _TransportPatch:
    """Route `api.openai.com` on one HTTP library (`httpx` or `httpx2`) to the app; pass everything else through."""

    def __init__(self, library: ModuleType, bridge: _Bridge) -> None:
        self._library = library
        self._sync_class = library.HTTPTransport
        self._async_class = library.AsyncHTTPTransport
        self._sync_original = self._sync_class.handle_request
        self._async_original = self._async_class.handle_async_request
        response_class = library.Response

        def handle_request(transport: Any, request: Any) -> Any:
            if request.url.host != OPENAI_HOST:
                return self._sync_original(transport, request)
            status, headers, body = bridge.send(
                request.method, _target(request.url), request.headers.raw, request.read()
            )
            return response_class(status, headers=headers, content=body, request=request)

        async def handle_async_request(transport: Any, request: Any) -> Any:
            if request.url.host != OPENAI_HOST:
                return await self._async_original(transport, request)
            body = await request.aread()
            status, headers, content = await bridge.asend(
                request.method, _target(request.url), request.headers.raw, body
            )
            return response_class(status, headers=headers, content=content, request=request)

        self._sync_class.handle_request = handle_request
        self._async_class.handle_async_request = handle_async_request

    def undo(self) -> None:
        self._sync_class.handle_request = self._sync_original
        self._async_class.handle_async_request = self._async_original


class _WebhookRouter(httpx.AsyncBaseTransport):
    """The app's outbound webhook transport: in-process receivers get deliveries directly, other URLs the network."""

    def __init__(self) -> None:
        self.receivers: dict[str, InProcessReceiver] = {}
        # The same transport the dispatcher uses when nothing is injected, for receivers on the network.
        self._network = DeliveryTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        receiver = self.receivers.get(request.url.host)
        if receiver is None:
            return await self._network.handle_async_request(request)
        body = await request.aread()
        status = receiver.receive(dict(request.headers.items()), body)
        return httpx.Response(status, request=request)

    async def aclose(self) -> None:
        await self._network.aclose()


class InProcessMock(Harness):
    """A fresh app answering the OpenAI SDK in this process while started (a context manager, or start/stop).

    Takes the same arguments as `MockServer`.
    """

    url = f"https://{OPENAI_HOST}"

    @property
    def base_url(self) -> str:
        """The SDK's default: code under test needs no change to reach the mock."""
        return f"https://{OPENAI_HOST}/v1"

    def __init__(self, settings: Settings | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self._webhooks = _WebhookRouter()
        self._receiver_names = itertools.count(1)
        self.app = create_app(self.settings, webhook_transport=self._webhooks)
        self.services: Services = self.app.state.services
        self._bridge: _Bridge | None = None
        self._patches: list[_TransportPatch] = []

    def start(self) -> InProcessMock:
        self._bridge = _Bridge(self.app)
        for name in ("httpx", "httpx2"):
            try:
                library = importlib.import_module(name)
            except ImportError:  # openai 2.x brings only httpx; 3.x brings httpx2 (and httpx may be there too)
                continue
            self._patches.append(_TransportPatch(library, self._bridge))
        self.log.attach()
        return self

    def stop(self) -> None:
        for patch in reversed(self._patches):
            patch.undo()
        self._patches.clear()
        if self._bridge is not None:
            services = self.services

            async def close() -> None:
                await services.dispatcher.close()
                await self._webhooks.aclose()

            self._bridge.call(close)
            self._bridge.close()
            self._bridge = None
        self.log.detach()

    def __enter__(self) -> InProcessMock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        if self._bridge is None:
            raise ServerError("the in-process mock is not started: use it as a context manager, or call start()")
        import json as json_module

        url = httpx.URL(path, params=params)
        body = b"" if json is None else json_module.dumps(json).encode()
        sent = [(b"content-type", b"application/json")]
        sent += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
        status, _, content = self._bridge.send(method, _target(url), sent, body)
        return status, json_module.loads(content) if content else None

    def receiver(self, secret: str | None = None) -> InProcessReceiver:
        """A webhook receiver the app delivers to without sockets; register it with `add_webhook_endpoint()`."""
        receiver = InProcessReceiver(f"receiver{next(self._receiver_names)}", secret)
        self._webhooks.receivers[httpx.URL(receiver.url).host] = receiver
        return receiver
