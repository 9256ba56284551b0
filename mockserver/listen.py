"""`mockserver listen`: a local webhook receiver for people developing against the mock, like `stripe listen`.

It prints one line per delivery (time, event type, object id, event id, whether the signature verified and why not)
and can forward each delivery, headers and body unchanged, to another URL; it then answers with that URL's status,
so the mock's retries reach the application behind it.

What an endpoint's chaos does shows as a receiver sees it: a broken attempt fails verification (and says why), a
duplicate is a `webhook-id` already accepted, and a reordered event is older than one already accepted.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TextIO

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver import clock as clocks
from mockserver.webhooks.signing import SignatureError, verify

FORWARDED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent")


class _Sightings:
    """The accepted deliveries so far: what makes the next one a duplicate or out of order."""

    def __init__(self) -> None:
        self._webhook_ids: set[str] = set()
        self._newest = 0

    def remarks(self, webhook_id: str | None, body: bytes) -> str:
        remarks = []
        if webhook_id is not None:
            if webhook_id in self._webhook_ids:
                remarks.append(f"duplicate: {webhook_id} was accepted before")
            self._webhook_ids.add(webhook_id)
        try:
            created_at = int(json.loads(body)["created_at"])
        except (ValueError, KeyError, TypeError):
            return "".join(f"  ({remark})" for remark in remarks)
        if created_at < self._newest:
            remarks.append(f"out of order: {self._newest - created_at} s older than an event already accepted")
        self._newest = max(self._newest, created_at)
        return "".join(f"  ({remark})" for remark in remarks)


def _describe(body: bytes) -> tuple[str, str, str]:
    try:
        event = json.loads(body)
        return str(event["type"]), str(event["data"]["id"]), str(event["id"])
    except (ValueError, KeyError, TypeError):
        return "(not an event)", "-", "-"


def create_listener(
    *,
    secret: str | None,
    forward_to: str | None,
    out: TextIO = sys.stdout,
    wall_clock: Callable[[], float] = clocks.wall_time,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    client = httpx.AsyncClient(transport=transport, timeout=30) if forward_to else None
    sightings = _Sightings()

    async def receive(request: Request) -> Response:
        body = await request.body()
        now = wall_clock()
        if secret is None:
            verdict, status = "signature not checked (no --secret)", 200
        else:
            try:
                verify(secret, dict(request.headers), body, now=now)
                verdict, status = "signature ok", 200
            except SignatureError as exc:
                verdict, status = f"signature INVALID: {exc}", 400
        event_type, object_id, event_id = _describe(body)
        when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{when}  {event_type:<26}  {object_id}  {event_id}  {verdict}"
        if status == 200:
            line += sightings.remarks(request.headers.get("webhook-id"), body)
        if client is not None and forward_to is not None and status == 200:
            headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
            try:
                forwarded = await client.post(forward_to, content=body, headers=headers)
                status = forwarded.status_code
                line += f"  -> {forward_to} {forwarded.status_code}"
            except httpx.HTTPError as exc:
                status = 502
                line += f"  -> {forward_to} failed: {type(exc).__name__}"
        out.write(line + "\n")
        out.flush()
        return Response(status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if client is not None:
            await client.aclose()

    return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])], lifespan=lifespan)
