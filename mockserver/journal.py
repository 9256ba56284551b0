"""The request journal (`GET /_mock/requests`): what clients sent to the OpenAI surface, bounded in memory."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import clock as clocks
from mockserver.clock import Clock
from mockserver.schemas.control import JournalEntry

API_PREFIXES = ("/v1/", "/openai/v1/")
_KEPT_BODY_BYTES = 64 * 1024


def _decode(body: bytes, content_type: str) -> Any:
    """The body as a test wants to read it: JSON as data, text as text, anything else described."""
    if not body:
        return None
    if len(body) > _KEPT_BODY_BYTES:
        return f"<{len(body)} bytes, not kept>"
    if "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            pass
    if content_type.startswith("multipart/"):
        return f"<multipart body, {len(body)} bytes>"
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(body)} bytes of binary>"


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._count = 0

    def add(self, entry: JournalEntry) -> None:
        self._entries.append(entry)

    def next_id(self) -> str:
        self._count += 1
        return f"mreq_{self._count}"

    def newest_first(self) -> Iterator[JournalEntry]:
        return reversed(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class JournalMiddleware:
    """Records every request to `/v1` and `/openai/v1`: method, path, status, project, server time, body."""

    def __init__(self, app: ASGIApp, journal: Journal, clock: Clock) -> None:
        self.app = app
        self.journal = journal
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES) or self.journal._entries.maxlen == 0:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status = 0
        started = clocks.elapsed()

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        at = self.clock.now()
        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            content_type = next((v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"content-type"), "")
            # Built from values this middleware made itself: nothing to validate, and it runs on every request.
            self.journal.add(
                JournalEntry.model_construct(
                    id=self.journal.next_id(),
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                    project=scope.get("state", {}).get("project"),
                    at=at,
                    duration_ms=round((clocks.elapsed() - started) * 1000, 3),
                    body=_decode(b"".join(chunks), content_type),
                )
            )
