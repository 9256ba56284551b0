"""`create_app()`: the ASGI application, built fresh each call; two apps in one process share nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Mount
from starlette.types import ASGIApp

from mockserver import routes as api
from mockserver.clock import Clock
from mockserver.control import routes as control
from mockserver.errors import APIError
from mockserver.handlers import on_api_error, on_http_error
from mockserver.inspector import routes as inspector
from mockserver.middleware import AdminAuth, Envelope
from mockserver.services import Services
from mockserver.settings import Settings

logger = logging.getLogger(__name__)


class MockApp(Starlette):
    """The mock's starlette app, with the envelope (`mockserver.middleware`) outermost. The envelope turns every
    unexpected exception into the OpenAI 500 envelope itself, so starlette's `ServerErrorMiddleware` (a plain-text
    500, and a wrapper around every message sent) has nothing left to do and is left out; below the envelope,
    starlette's exception middleware and router serve what the envelope does not dispatch itself (the control API,
    the inspector, unknown paths)."""

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state.services = services

    def build_middleware_stack(self) -> ASGIApp:
        if any(key in (500, Exception) for key in self.exception_handlers):
            raise TypeError(
                "mockserver answers unexpected errors itself (the OpenAI 500 envelope): a handler for 500 or "
                "Exception would never run"
            )
        app: ASGIApp = Envelope(
            ExceptionMiddleware(self.router, handlers=self.exception_handlers, debug=self.debug),
            self.state.services,
            api.table,
        )
        # Middleware a user adds (`app.add_middleware(...)`) goes around the envelope, first added outermost, as in
        # starlette's own stack.
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    wall_clock: Callable[[], float] | None = None,
) -> Starlette:
    """Build the mock server.

    Args:
        settings: server configuration; defaults to `Settings()` (real clock, no fixtures).
        clock: a clock to use instead of the one `settings.clock` names (tests inject a `ManualClock`).
        webhook_transport: an httpx transport for outbound webhooks (tests inject `httpx.MockTransport`).
        wall_clock: where webhook signing timestamps come from; the real time unless a test needs otherwise.

    Raises:
        FixturesError: the fixtures file cannot be loaded.
    """
    settings = settings or Settings()
    services = Services.build(settings, clock, webhook_transport=webhook_transport, wall_clock=wall_clock)
    services.load_fixtures()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Only the real clock needs a background driver; a manual clock moves through /_mock/clock/advance.
        services.shutdown.serving()
        driver = asyncio.create_task(services.scheduler.run_forever()) if services.clock.mode == "real" else None
        services.dispatcher.flush_backlog()
        try:
            yield
        finally:
            if driver is not None:
                driver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await driver
            await services.dispatcher.close()

    app = MockApp(
        services,
        routes=[
            api.table,
            # Before `/_mock`: the page itself holds no data and is served without the admin token (see inspector).
            *inspector,
            Mount("/_mock", routes=control.routes, middleware=[Middleware(AdminAuth, services=services)]),
        ],
        exception_handlers={
            APIError: on_api_error,
            HTTPException: on_http_error,
        },
        lifespan=lifespan,
    )
    return app
