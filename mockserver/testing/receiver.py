"""Webhook receivers for tests: verify each delivery with the official SDK, parse it with its types, record it.

`WebhookReceiver` listens on 127.0.0.1 over real HTTP (for a live `MockServer`); `InProcessReceiver` is handed
deliveries without sockets (for the in-process `mock_openai`). Both share `Inbox`, which holds what arrived.
"""

from __future__ import annotations

import selectors
import socket
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mockserver import clock as clocks
from mockserver.webhooks.event_types import TRANSITION_EVENT, check_event_type as check_subscribable
from mockserver.webhooks.signing import generate_secret


@dataclass(frozen=True)
class Delivery:
    """One request the receiver got: raw headers and body, and the event if its signature verified."""

    headers: dict[str, str]
    body: bytes
    status: int
    event: Any | None
    error: str | None

    @property
    def verified(self) -> bool:
        return self.event is not None


def object_id(event: Any) -> str | None:
    """The id of what an unwrapped event is about, None for an event about no object (`realtime.call.incoming`).

    For a type without an SDK event class (`video.completed`, `video.failed`, the mock's `mock.transition`),
    `unwrap()` answers an instance of another type's class (`AgentEnvironmentExpiredWebhookEvent` in openai 3.x,
    `BatchCancelledWebhookEvent` in 2.x) built without validation, with the real `type`, `id` and `data.id`: read
    `event.type`, never `isinstance`, to tell such events apart."""
    value = getattr(event.data, "id", None)
    return value if isinstance(value, str) else None


_about = object_id  # `received()` has a parameter of that name


def _describe(delivery: Delivery) -> str:
    if delivery.event is None:
        return f"  - unverified ({delivery.error}) answered {delivery.status}"
    about = object_id(delivery.event) or "(no object)"
    return f"  - {delivery.event.type} {about} ({delivery.event.id}) answered {delivery.status}"


def check_event_type(event_type: str) -> str:
    """Refuse a type no endpoint can subscribe to (a typo would otherwise wait or fail as "nothing arrived"); the
    mock-only `mock.transition` is known too."""
    return event_type if event_type == TRANSITION_EVENT else check_subscribable(event_type)


@dataclass(frozen=True)
class Registration:
    """An endpoint a mock delivers to this receiver through, and how to settle that mock's deliveries."""

    endpoint_id: str
    events: tuple[str, ...] | None
    settle: Callable[[], None]

    def describe(self) -> str:
        return f"{self.endpoint_id} ({'every event type' if self.events is None else ', '.join(self.events)})"


class Inbox:
    """What a receiver got, and how it answers: 200, or the statuses queued with `fail_next`."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret or generate_secret()
        self.deliveries: list[Delivery] = []
        self.registrations: list[Registration] = []
        self._failures: deque[int] = deque()
        self._arrived = threading.Condition()

    def registered(self, registration: Registration) -> None:
        """Called by `add_webhook_endpoint()`: assertions settle that mock's deliveries first, and failures name it."""
        self.registrations.append(registration)

    def settle(self) -> None:
        """Let every delivery that is due (in flight, or due now on a manual clock) reach this receiver."""
        for registration in self.registrations:
            registration.settle()

    def _failure(self, wanted: str) -> AssertionError:
        if self.registrations:
            where = "registered as " + "; ".join(r.describe() for r in self.registrations)
        else:
            where = (
                "this receiver is registered with no mock: call "
                "mock_openai_server.add_webhook_endpoint(webhook_receiver) (or mock_openai's) first"
            )
        return AssertionError(f"{wanted}; {where}; received:\n{self.summary()}")

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next `n` deliveries with `status` (retries will follow)."""
        with self._arrived:
            self._failures.extend([status] * n)

    def receive(self, headers: Mapping[str, str], body: bytes) -> int:
        """Verify, parse and record one delivery; return the status to answer with."""
        import openai  # the SDK is what users verify with; it is needed only when a delivery arrives

        lowered = {key.lower(): value for key, value in headers.items()}
        event: Any | None = None
        error: str | None = None
        try:
            event = openai.OpenAI(api_key="unused").webhooks.unwrap(body, lowered, secret=self.secret)
        except ValueError as exc:  # the SDK's InvalidWebhookSignatureError is a ValueError, as are missing headers
            error = str(exc)
        with self._arrived:
            status = self._failures.popleft() if self._failures else (200 if event is not None else 400)
            self.deliveries.append(Delivery(lowered, body, status, event, error))
            self._arrived.notify_all()
        return status

    @property
    def events(self) -> list[Any]:
        """Verified events, parsed with the SDK's types, in arrival order (a retried event appears once per try)."""
        return [d.event for d in self.deliveries if d.event is not None]

    def received(self, event_type: str | None = None, *, object_id: str | None = None) -> list[Any]:
        wanted = object_id
        if event_type is not None:
            check_event_type(event_type)
        return [
            event
            for event in self.events
            if (event_type is None or event.type == event_type) and (wanted is None or _about(event) == wanted)
        ]

    def wait_for(self, event_type: str, *, object_id: str | None = None, timeout: float = 5.0) -> Any:
        """The first verified event of that type (and object), waiting up to `timeout` seconds for it."""
        check_event_type(event_type)
        deadline = clocks.elapsed() + timeout
        with self._arrived:
            while True:
                found = self.received(event_type, object_id=object_id)
                if found:
                    return found[0]
                left = deadline - clocks.elapsed()
                if left <= 0:
                    wanted = event_type + (f" for {object_id}" if object_id else "")
                    raise self._failure(f"no {wanted} arrived within {timeout:g} s")
                self._arrived.wait(left)

    def assert_received(self, event_type: str, *, object_id: str | None = None, count: int | None = None) -> list[Any]:
        """Check what arrived, once every delivery due has settled; the failure message lists everything that did."""
        check_event_type(event_type)
        self.settle()
        found = self.received(event_type, object_id=object_id)
        if (count is None and not found) or (count is not None and len(found) != count):
            wanted = f"{'at least one' if count is None else count} {event_type}"
            wanted += f" for {object_id}" if object_id else ""
            raise self._failure(f"expected {wanted}, got {len(found)}")
        return found

    def assert_nothing_received(self) -> None:
        """Check that nothing arrived, once every delivery due has settled."""
        self.settle()
        if self.deliveries:
            raise self._failure("expected no webhook")

    def summary(self) -> str:
        return "\n".join(_describe(d) for d in self.deliveries) or "  (nothing)"

    def clear(self) -> None:
        with self._arrived:
            self.deliveries.clear()
            self._failures.clear()


class ReceiverServer(ThreadingHTTPServer):
    """The stdlib's threading server with room for a burst of connections: the mock opens up to
    `--webhook-concurrency` (32) at once, and the default listen backlog of 5 made the rest wait a second for the
    kernel to retry their connect, past a short delivery timeout."""

    request_queue_size = 128


class WebhookReceiver(Inbox):
    """A real HTTP receiver on 127.0.0.1 and a free port; `url` is where to point an endpoint."""

    def __init__(self, secret: str | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(secret)
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server dispatches to
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = inbox.receive(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # deliveries are recorded, not printed

        self._server = ReceiverServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}/webhooks"
        # `serve_forever` notices a shutdown only at its next poll (every 0.5 s): a test paid that on teardown. A
        # socket pair wakes the serving loop at once instead.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="webhook-receiver", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                ready = [key.fileobj for key, _ in selector.select()]
                if self._wake_reader in ready:
                    return
                self._server.handle_request()  # the socket is readable: this accepts without blocking

    def close(self) -> None:
        self._wake_writer.send(b"x")
        self._thread.join()
        self._server.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class InProcessReceiver(Inbox):
    """A receiver the in-process mock delivers to directly; its `url` never touches the network."""

    def __init__(self, name: str, secret: str | None = None) -> None:
        super().__init__(secret)
        self.url = f"http://{name}.webhooks.mockserver.invalid/webhooks"
