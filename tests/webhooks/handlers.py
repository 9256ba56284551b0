"""Three webhook handlers as users write them (Starlette, verified with the SDK or not), served for real on
127.0.0.1 port 0: what the receiver check and the chaos are graded against. The correct one is the README's."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import openai
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.sockets import bind_tcp


class Handled:
    """What a handler acted on, per webhook-id (the side effect a test can see from inside)."""

    def __init__(self) -> None:
        self.actions: Counter[str] = Counter()
        self.event_ids: list[str] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def act(self, webhook_id: str, event_id: str) -> None:
        with self.changed:
            self.actions[webhook_id] += 1
            self.event_ids.append(event_id)
            self.changed.notify_all()

    def acted_once(self, webhook_id: str) -> bool:
        with self.lock:
            return self.actions[webhook_id] == 1


def _verifying_handler(secret: str, handled: Handled, *, repeat_status: int) -> Starlette:
    """Verifies with `client.webhooks.unwrap()` (signature and timestamp), acts once per `webhook-id`, answers a
    repeat with `repeat_status`."""
    client = openai.OpenAI(api_key="unused", webhook_secret=secret)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        try:
            event = client.webhooks.unwrap(body, request.headers)
        except ValueError:  # InvalidWebhookSignatureError, or a header missing
            return Response("invalid webhook", status_code=400)
        webhook_id = request.headers["webhook-id"]
        if webhook_id in handled.actions:
            return Response(status_code=repeat_status)
        handled.act(webhook_id, event.id)
        return Response(status_code=200)

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])


def correct_handler(secret: str, handled: Handled) -> Starlette:
    """Verifies, dedupes by `webhook-id` (a repeat is acknowledged), answers fast."""
    return _verifying_handler(secret, handled, repeat_status=200)


def duplicate_refusing_handler(secret: str, handled: Handled) -> Starlette:
    """Verifies, but answers 500 to a `webhook-id` it has seen: OpenAI would retry it for days."""
    return _verifying_handler(secret, handled, repeat_status=500)


def careless_handler(handled: Handled) -> Starlette:
    """Parses the body and acts on it, without verifying anything (but dedupes, so only verification is missing)."""

    async def webhook(request: Request) -> Response:
        event = await request.json()
        webhook_id = request.headers.get("webhook-id", "")
        if webhook_id not in handled.actions:
            handled.act(webhook_id, event["id"])
        return Response(status_code=200)

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])


@contextmanager
def serving(app: Starlette, path: str = "/webhook") -> Iterator[str]:
    """Serve the app on 127.0.0.1, a free port, in a thread; yield the URL of `path` there."""
    sock = bind_tcp("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.001)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
