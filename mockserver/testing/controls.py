"""The control API as Python methods, shared by the live `MockServer` and the in-process `InProcessMock`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.testing.receiver import Inbox


class ControlError(RuntimeError):
    """A control API call was refused (the message carries the server's answer)."""


class Controls(ABC):
    @abstractmethod
    def _request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send one control request (`path` under `/_mock`); return the status and the decoded JSON body."""

    def _control(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
        status, body = self._request(method, path, json=json, params=params)
        if status >= 400:
            raise ControlError(f"{method} /_mock{path} answered {status}: {body}")
        return body

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the manual clock; every state change and webhook delivery due by then happens before this returns."""
        answer: dict[str, Any] = self._control("POST", "/clock/advance", json={"seconds": seconds})
        return answer

    def reset(self) -> None:
        """Forget every object, event, delivery and added endpoint; the manual clock returns to its start."""
        self._control("POST", "/reset")

    def now(self) -> float:
        return float(self._control("GET", "/clock")["now"])

    def transition(self, job_id: str, status: str, error: dict[str, Any] | None = None) -> dict[str, Any]:
        """Force a fine-tuning job to `status` through the legal path."""
        body: dict[str, Any] = {"status": status} | ({"error": error} if error else {})
        answer: dict[str, Any] = self._control("POST", f"/fine_tuning/jobs/{job_id}/transition", json=body)
        return answer

    def add_webhook_endpoint(
        self, target: Inbox | str, *, events: list[str] | None = None, secret: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """Send webhooks to a receiver (its `url` and `secret` are used) or to a URL."""
        if isinstance(target, str):
            url = target
        else:
            url = target.url  # type: ignore[attr-defined]  # every concrete receiver has one
            secret = secret or target.secret
        body: dict[str, Any] = {"url": url, "events": events, **options} | ({"secret": secret} if secret else {})
        endpoint: dict[str, Any] = self._control("POST", "/webhooks/endpoints", json=body)
        return endpoint

    def webhook_events(self, **filters: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._control("GET", "/webhooks/events", params=filters)["data"]
        return data

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """Every delivery attempt, newest first (filters: event_type, object_id, endpoint_id, event_id)."""
        data: list[dict[str, Any]] = self._control("GET", "/webhooks/deliveries", params=filters)["data"]
        return data

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
