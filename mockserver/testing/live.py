"""`MockServer`: the real app on uvicorn, in a background thread, on 127.0.0.1 and a pre-bound free port."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import uvicorn

from mockserver import clock as clocks
from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.sockets import bind_tcp
from mockserver.stack import Stack
from mockserver.testing.controls import Harness, ServerError


class MockServer(Harness):
    """A live mock OpenAI server on uvicorn in a background thread (a context manager, or start/stop).

    Takes `Harness`'s arguments: `settings`, or `clock`, `phases`, `seed`, `api_key` and any `Settings` field.
    """

    def __init__(self, settings: Settings | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._http: httpx.Client | None = None
        self.services = None
        self.url = ""
        self.startup_seconds = 0.0

    # -- lifetime ----------------------------------------------------------------------------------------------------

    def start(self) -> MockServer:
        started = clocks.elapsed()
        app = create_app(self.settings)
        self.services = app.state.services
        try:
            sock = bind_tcp(self.settings.host, self.settings.port)
        except OSError as exc:
            raise ServerError(f"cannot listen on {self.settings.host}:{self.settings.port}: {exc.strerror}") from exc
        self.url = f"http://{self.settings.host}:{sock.getsockname()[1]}"
        self.log.attach()
        # log_config=None: a server inside a test process must not reconfigure the process's logging.
        stack = Stack.choose(self.settings.http, self.settings.loop)
        config = uvicorn.Config(
            app, lifespan="on", log_config=None, access_log=False, log_level="warning", **stack.config()
        )
        self._server = uvicorn.Server(config)
        ready = threading.Event()

        def run() -> None:
            try:
                assert self._server is not None
                self._server.run(sockets=[sock])
            except BaseException as exc:  # reported to the test thread by start()/check()
                self._failure = exc
            finally:
                ready.set()
                sock.close()

        self._thread = threading.Thread(target=run, name="mockserver", daemon=True)
        self._thread.start()
        # uvicorn flips `started` once the lifespan has run and the socket serves.
        while not self._server.started and not ready.is_set():
            ready.wait(0.001)
        if not self._server.started:
            raise ServerError(f"mockserver did not start: {self._failure!r}") from self._failure
        # The control client only ever speaks plain HTTP to this server: without `verify`, it skips loading the CA
        # bundle, which took 20 ms, half of the time to ready.
        self._http = httpx.Client(base_url=self.url, timeout=60, verify=False)
        self.startup_seconds = clocks.elapsed() - started
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._http is not None:
            self._http.close()
        self.log.detach()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def check(self) -> None:
        if self._failure is not None:
            raise ServerError("the mockserver thread died") from self._failure
        super().check()

    # -- the control API and clients --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give `openai.OpenAI(base_url=...)`."""
        return self.url + "/v1"

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        if self._http is None:
            raise ServerError("the server is not running: use it as a context manager, or call start()")
        response = self._http.request(method, path, json=json, params=params, headers=headers)
        return response.status_code, response.json()
