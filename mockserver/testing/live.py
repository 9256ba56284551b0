"""`MockServer`: the real app on uvicorn, in a background thread, on 127.0.0.1 and a pre-bound free port."""

from __future__ import annotations

import collections
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn

from mockserver import clock as clocks
from mockserver.app import create_app
from mockserver.services import Services
from mockserver.settings import Settings
from mockserver.testing.controls import Controls

if TYPE_CHECKING:
    import openai

DEFAULT_API_KEY = "sk-mockserver"
_LOG_LINES = 2000


class LogBuffer(logging.Handler):
    """The last lines the `mockserver` loggers wrote, for failure reports."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: collections.deque[str] = collections.deque(maxlen=_LOG_LINES)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class ServerError(RuntimeError):
    """The server thread failed: at start-up, or while answering a request (the original is the cause)."""


class MockServer(Controls):
    """A live mock OpenAI server for a test or a session.

    Args:
        settings: full configuration; when given, the keyword arguments below are ignored.
        clock: "manual" (default: time moves only through `advance()`) or "real".
        phases: simulated phase durations, e.g. `{"fine_tuning.running": 60}`.
        seed: makes ids and fake data reproducible.
        api_key: the key `client()` and the helpers use (and so the project they see).
        **options: any other `Settings` field (`webhook_urls`, `fixtures`, `default_scenario`, …).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: str = "manual",
        phases: dict[str, float] | None = None,
        seed: int | None = None,
        api_key: str = DEFAULT_API_KEY,
        **options: Any,
    ) -> None:
        if settings is None:
            # A free port unless told otherwise: tests never share fixed ports.
            settings = Settings(clock=clock, phases=phases or {}, seed=seed, **{"port": 0, **options})
        self.settings = settings
        self.api_key = api_key
        self.log = LogBuffer()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._http: httpx.Client | None = None
        self.services: Services | None = None
        self.url = ""
        self.startup_seconds = 0.0

    # -- lifetime ----------------------------------------------------------------------------------------------------

    def start(self) -> MockServer:
        started = clocks.elapsed()
        app = create_app(self.settings)
        self.services = app.state.services
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.settings.host, self.settings.port))
        except OSError as exc:
            sock.close()
            raise ServerError(f"cannot listen on {self.settings.host}:{self.settings.port}: {exc.strerror}") from exc
        sock.listen(1024)
        self.url = f"http://{self.settings.host}:{sock.getsockname()[1]}"
        logging.getLogger("mockserver").addHandler(self.log)
        if logging.getLogger("mockserver").level == logging.NOTSET:
            logging.getLogger("mockserver").setLevel(logging.INFO)
        # log_config=None: a server inside a test process must not reconfigure the process's logging.
        config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False, log_level="warning")
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
        self._http = httpx.Client(base_url=self.url, timeout=60)
        self.startup_seconds = clocks.elapsed() - started
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._http is not None:
            self._http.close()
        logging.getLogger("mockserver").removeHandler(self.log)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        super().reset()
        self.log.lines.clear()

    def check(self) -> None:
        """Raise what went wrong inside the server since the last check (a bug in the mock, not in your code)."""
        if self._failure is not None:
            raise ServerError("the mockserver thread died") from self._failure
        if self.services is not None and self.services.errors:
            first = self.services.errors[0]
            self.services.errors.clear()
            raise ServerError(f"the mockserver answered a request with a 500: {first!r}") from first

    # -- the control API and clients --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give `openai.OpenAI(base_url=...)`."""
        return self.url + "/v1"

    def _request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        if self._http is None:
            raise ServerError("the server is not running: use it as a context manager, or call start()")
        response = self._http.request(method, "/_mock" + path, json=json, params=params)
        return response.status_code, response.json()

    def client(self, **options: Any) -> openai.OpenAI:
        """An `openai.OpenAI` bound to this server (no retries, so failures show at once)."""
        import openai

        return openai.OpenAI(**{"api_key": self.api_key, "base_url": self.base_url, "max_retries": 0, **options})

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        import openai

        return openai.AsyncOpenAI(**{"api_key": self.api_key, "base_url": self.base_url, "max_retries": 0, **options})
