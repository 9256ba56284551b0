"""What the live `MockServer` and the in-process `InProcessMock` share: configuration, the control API as Python
methods, log capture for failure reports, server-side error checks, and SDK clients bound to the mock."""

from __future__ import annotations

import collections
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from mockserver.auth import parse_api_key
from mockserver.settings import Settings
from mockserver.testing.receiver import Registration, check_event_type
from mockserver.webhooks.event_types import EVENT_TYPES

if TYPE_CHECKING:
    import openai

    from mockserver.schemas.polling import PollingReport
    from mockserver.schemas.receiver_check import ReceiverReport
    from mockserver.services import Services
    from mockserver.testing.receiver import Inbox

DEFAULT_API_KEY = "sk-mockserver"
# What `Harness` takes besides `Settings` fields.
HARNESS_ARGUMENTS = frozenset({"settings", "api_key"})
_LOG_LINES = 2000


class ControlError(RuntimeError):
    """A control API call was refused (the message carries the server's answer)."""


class ServerError(RuntimeError):
    """The mock itself failed: at start-up, or while answering a request (the original is the cause)."""


class LogBuffer(logging.Handler):
    """The last lines the `mockserver` loggers wrote, for failure reports."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: collections.deque[str] = collections.deque(maxlen=_LOG_LINES)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self._level_before: int | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def attach(self) -> None:
        """Collect the `mockserver` loggers' INFO lines; the logger's level is lowered to INFO only if nobody set
        one, and put back by `detach()` (the process's logging is the user's)."""
        logger = logging.getLogger("mockserver")
        logger.addHandler(self)
        if logger.level == logging.NOTSET:
            self._level_before = logger.level
            logger.setLevel(logging.INFO)

    def detach(self) -> None:
        logger = logging.getLogger("mockserver")
        logger.removeHandler(self)
        if self._level_before is not None and not any(isinstance(h, LogBuffer) for h in logger.handlers):
            logger.setLevel(self._level_before)
        self._level_before = None


class Harness(ABC):
    """A mock under a test's control.

    Args:
        settings: full configuration; when given, the keyword arguments below are ignored.
        clock: "manual" (default: time moves only through `advance()`) or "real".
        phases: simulated phase durations, e.g. `{"fine_tuning.running": 60}`.
        seed: makes ids and fake data reproducible.
        api_key: the key `client()` and the helpers use (and so the project they see); by default the first of
            `api_keys` when the server accepts only those, else "sk-mockserver".
        **options: any other `Settings` field (`webhook_urls`, `fixtures`, `default_scenario`, …).
    """

    services: Services | None

    @property
    @abstractmethod
    def base_url(self) -> str:
        """What to give `openai.OpenAI(base_url=...)`."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: str = "manual",
        phases: dict[str, float] | None = None,
        seed: int | None = None,
        api_key: str | None = None,
        **options: Any,
    ) -> None:
        if settings is None:
            # A free port unless told otherwise: tests never share fixed ports.
            settings = Settings(clock=clock, phases=phases or {}, seed=seed, **{"port": 0, **options})
        self.settings = settings
        # A server that accepts only some keys is driven with the first of them, unless told otherwise.
        accepted = [parse_api_key(entry)[0] for entry in settings.api_keys]
        self.api_key = api_key or (accepted[0] if accepted else DEFAULT_API_KEY)
        self.log = LogBuffer()

    def check(self) -> None:
        """Raise what went wrong inside the mock since the last check (a bug in the mock, not in your code)."""
        if self.services is not None and self.services.errors:
            first = self.services.errors[0]
            self.services.errors.clear()
            raise ServerError(f"the mock answered a request with a 500: {first!r}") from first

    def client(self, **options: Any) -> openai.OpenAI:
        """An `openai.OpenAI` bound to the mock, with no retries so that failures show at once."""
        import openai

        return openai.OpenAI(**{"api_key": self.api_key, "base_url": self.base_url, "max_retries": 0, **options})

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        import openai

        return openai.AsyncOpenAI(**{"api_key": self.api_key, "base_url": self.base_url, "max_retries": 0, **options})

    @abstractmethod
    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send one request to the mock (`path` from the root); return the status and the decoded JSON body."""

    def _control(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
        status, body = self._request(method, "/_mock" + path, json=json, params=params)
        if status >= 400:
            raise ControlError(f"{method} /_mock{path} answered {status}: {body}")
        return body

    def _api(self, method: str, path: str, *, json: Any = None, project: str | None = None) -> Any:
        """One OpenAI-surface request with the harness's key (`path` under `/v1`), as the SDK would send it."""
        headers = {"Authorization": f"Bearer {self.api_key}"} | ({"OpenAI-Project": project} if project else {})
        status, body = self._request(method, "/v1" + path, json=json, headers=headers)
        if status >= 400:
            raise ControlError(f"{method} /v1{path} answered {status}: {body}")
        return body

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the manual clock; every state change and webhook delivery due by then happens before this returns."""
        answer: dict[str, Any] = self._control("POST", "/clock/advance", json={"seconds": seconds})
        return answer

    def reset(self) -> None:
        """Forget every object, event, delivery and added endpoint; the manual clock returns to its start."""
        self._control("POST", "/reset")
        self.log.lines.clear()

    def now(self) -> float:
        return float(self._control("GET", "/clock")["now"])

    def transition(self, object_id: str, status: str, **details: Any) -> dict[str, Any]:
        """Force an object of any kind (found by its id's format) to `status` through the legal path, with the
        details of its outcome where the kind takes them (`error={...}` for a job, a run, a response or a video,
        `errors=[...]` for a batch)."""
        body = {"status": status, **{name: value for name, value in details.items() if value is not None}}
        answer: dict[str, Any] = self._control("POST", f"/objects/{object_id}/transition", json=body)
        return answer

    def add_webhook_endpoint(
        self,
        target: Inbox | str,
        *,
        events: list[str] | None = None,
        secret: str | None = None,
        project: str | None = None,
        name: str = "mockserver test endpoint",
        chaos: dict[str, Any] | None = None,
        all_transitions: bool = False,
    ) -> dict[str, Any]:
        """Send webhooks to a receiver (its `url` and `secret` are used) or to a URL, configured as production
        configures an endpoint: `POST /v1/webhook_endpoints` in this harness's project (or `project`), for `events`
        (default: every type). The endpoint then signs with the receiver's secret, or `secret`, when there is one
        (a mock-only step, as the real API always makes the secret); answers the control API's view of it.

        `all_transitions=True` also sends it every state change of the project's objects as the mock-only
        `mock.transition` event (a mock-only setting, made through the control API).

        A receiver's `assert_received()` / `assert_nothing_received()` then settle this mock's due deliveries first.
        `chaos` (mock-only, e.g. `{"duplicate": 1.0, "reorder": 0.5, "bad_signature": 0.2}`, the fields of
        `mockserver.schemas.chaos.Chaos`) disturbs its deliveries deliberately, seeded by the server's seed.
        """
        if not isinstance(target, str):
            secret = secret or target.secret
        for event_type in events or ():
            check_event_type(event_type)
        url = target if isinstance(target, str) else target.url  # type: ignore[attr-defined]  # every receiver has one
        body = {"url": url, "name": name, "event_types": list(events or EVENT_TYPES)}
        created = self._api("POST", "/webhook_endpoints", json=body, project=project)
        if secret is not None:
            self._control(
                "POST",
                f"/webhooks/endpoints/{created['id']}/rotate",
                json={"secret": secret, "expire_previous_after": 0},
            )
        mock_only: dict[str, Any] = {"chaos": chaos} if chaos is not None else {}
        if all_transitions:
            mock_only["all_transitions"] = True
        if mock_only:  # the control API sets them on the endpoint the real API made
            self._control("PATCH", f"/webhooks/endpoints/{created['id']}", json=mock_only)
        endpoint: dict[str, Any] = self._control("GET", f"/webhooks/endpoints/{created['id']}")
        if not isinstance(target, str):
            target.registered(Registration(endpoint["id"], None if events is None else tuple(events), self.settle))
        return endpoint

    def check_webhook_endpoint(self, endpoint_id: str, *, budget: float = 1.0) -> ReceiverReport:
        """Run the receiver check against a configured endpoint (its URL, secret and event types); the report's
        `assert_passed()` fails a test with its table."""
        from mockserver.schemas.receiver_check import ReceiverReport

        body = self._control("POST", f"/webhooks/endpoints/{endpoint_id}/check", json={"budget": budget})
        return ReceiverReport.model_validate(body)

    def settle(self) -> None:
        """Wait until every webhook delivery due now (in flight, or due on the manual clock) has been attempted."""
        self._control("POST", "/webhooks/settle")

    def webhook_events(self, **filters: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._control("GET", "/webhooks/events", params=filters)["data"]
        return data

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """Every delivery attempt, newest first (filters: event_type, object_id, endpoint_id, event_id)."""
        data: list[dict[str, Any]] = self._control("GET", "/webhooks/deliveries", params=filters)["data"]
        return data

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        """What clients sent to the OpenAI surface, newest first (filters: method, path (glob), status)."""
        data: list[dict[str, Any]] = self._control("GET", "/requests", params=filters)["data"]
        return data

    def polling_report(self, *, project: str | None = None) -> PollingReport:
        """How the client polled each object it retrieved (count, intervals, backing off, polls after it ended),
        from the request journal, in server time."""
        from mockserver.schemas.polling import PollingReport

        body = self._control("GET", "/reports/polling", params={"project": project} if project else None)
        return PollingReport.model_validate(body)

    def assert_polite_polling(
        self,
        *,
        max_per_minute: int | None = None,
        min_interval: float | None = None,
        max_wasted_polls: int | None = 0,
        require_backoff: bool = False,
        project: str | None = None,
    ) -> PollingReport:
        """Fail the test when the client polled any object more than `max_per_minute` times in a minute of server
        time, less than `min_interval` seconds apart, more than `max_wasted_polls` times after it had seen it end,
        or (`require_backoff`) three times or more without its intervals growing. Returns the report."""
        report = self.polling_report(project=project)
        problems = report.problems(
            max_per_minute=max_per_minute,
            min_interval=min_interval,
            max_wasted_polls=max_wasted_polls,
            require_backoff=require_backoff,
        )
        if problems:
            raise AssertionError("impolite polling:\n" + "\n".join(f"  - {problem}" for problem in problems))
        return report

    def inject_fault(self, path: str, **rule: Any) -> dict[str, Any]:
        """Make matching requests fail: `status` (with `retry_after`), `delay`, `drop`; `method`, `times`, `rate`."""
        fault: dict[str, Any] = self._control("POST", "/faults", json={"path": path, **rule})
        return fault

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def delivery_summary(self) -> str:
        """The delivery log as lines, oldest first: what a failing test's report shows."""
        lines = []
        for attempt in reversed(self.deliveries()):
            outcome = attempt["response"]["status"] if attempt["response"] else attempt["error"]
            retry = f", next retry at {attempt['next_retry_at']:.0f}" if attempt["next_retry_at"] else ""
            lines.append(
                f"{attempt['event_type']} {attempt['object_id']} attempt {attempt['attempt']} -> {attempt['url']}: "
                f"{outcome}{retry}"
            )
        return "\n".join(lines) or "(no deliveries)"
