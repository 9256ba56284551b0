"""The request journal (`GET /_mock/requests`): what clients sent to the OpenAI surface, bounded in memory.

Every API request adds a record, so recording is kept to a tuple of what the envelope already has; bodies are decoded
and wire models built only when someone reads the journal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, NamedTuple

from mockserver.schemas.control import JournalEntry
from mockserver.validation import loads

# Bodies up to this size are kept (then decoded when read); larger ones only as their size, and the envelope holds
# no more than this of any request while it is served.
KEPT_BODY_BYTES = 64 * 1024


class _Record(NamedTuple):
    number: int
    method: str
    path: str
    query: bytes
    status: int
    project: str | None
    at: float
    duration_ms: float
    body: bytes | str  # str: already described (too large, or multipart)
    content_type: str


def _kept(body: bytes, size: int, content_type: str) -> bytes | str:
    """What is worth keeping of a body until it is read: large and multipart bodies are described at once."""
    if size > KEPT_BODY_BYTES:
        return f"<{size} bytes, not kept>"
    if body and content_type.startswith("multipart/"):
        return f"<multipart body, {size} bytes>"
    return body


def _decode(body: bytes | str, content_type: str) -> Any:
    """The body as a test wants to read it: JSON as data, text as text, anything else described."""
    if isinstance(body, str):
        return body
    if not body:
        return None
    if "json" in content_type:
        try:
            return loads(body)
        except ValueError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(body)} bytes of binary>"


class Journal:
    def __init__(self, size: int) -> None:
        self._records: deque[_Record] = deque(maxlen=size)
        self._count = 0

    @property
    def recorded(self) -> int:
        """How many requests were ever recorded (the number of the newest): orders other happenings among them."""
        return self._count

    @property
    def enabled(self) -> bool:
        return self._records.maxlen != 0

    def add(
        self,
        *,
        method: str,
        path: str,
        query: bytes,
        status: int,
        project: str | None,
        at: float,
        duration_ms: float,
        body: bytes,
        size: int,
        content_type: str,
    ) -> None:
        """`status` 0: the response never finished (the connection was dropped, or the request failed before it).
        `body` is at most the first `KEPT_BODY_BYTES` + 1 bytes of a body of `size` bytes."""
        self._count += 1
        kept = _kept(body, size, content_type)
        self._records.append(
            _Record(self._count, method, path, query, status, project, at, duration_ms, kept, content_type)
        )

    def newest_first(self) -> Iterator[JournalEntry]:
        for record in reversed(self._records):
            yield JournalEntry(
                id=f"mreq_{record.number}",
                method=record.method,
                path=record.path,
                query=record.query.decode("latin-1"),
                status=record.status,
                project=record.project,
                at=record.at,
                duration_ms=round(record.duration_ms, 3),
                body=_decode(record.body, record.content_type),
            )

    def clear(self) -> None:
        self._records.clear()
