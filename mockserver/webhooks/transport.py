"""The transport webhook deliveries go out on: HTTP/1.1 on raw asyncio streams, with keep-alive per host.

Each request is one attempt: a kept-alive connection the receiver closed or reset after the request was written is
that attempt's failure, never sent again behind the dispatcher's back (the delivery log would show fewer attempts
than the receiver saw). A connection already closed when it is taken from the pool is simply not used. An answer's
body is read up to `MAX_BODY_BYTES` and the rest ignored (the connection is then closed): a big 2xx is a success.

httpx's default pool (httpcore) rescans every connection for every waiting request, which made it cost far more
than a delivery itself (hundreds of deliveries a second instead of thousands). Deliveries need little: one POST,
its status, a little of its body, timeouts, TLS for https. Failures surface as httpx's own exceptions, so the
dispatcher (and a transport a test injects instead) treat them alike.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict

import httpx

from mockserver import clock as clocks

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024  # more than a receiver's answer needs; the dispatcher keeps 2 KB of it
_PIECE = 16 * 1024

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None]:
    timeout = request.extensions.get("timeout", {})
    return timeout.get("connect"), timeout.get("read")


async def _read_up_to(reader: asyncio.StreamReader, length: int | None, kept: bytearray) -> bool:
    """Read `length` bytes (None: until the connection ends), keeping what fits under the cap in `kept`, in pieces
    so that a huge declared length costs nothing. False once the cap is reached: the rest is left unread."""
    while length is None or length > 0:
        room = MAX_BODY_BYTES - len(kept)
        if room <= 0:
            return False
        piece = await reader.read(min(_PIECE, room, length if length is not None else _PIECE))
        if not piece:
            if length is None:
                return True
            raise asyncio.IncompleteReadError(bytes(kept), length)
        kept += piece
        if length is not None:
            length -= len(piece)
    return True


async def _read_chunked(reader: asyncio.StreamReader, kept: bytearray) -> bool:
    """The chunks' data up to the cap; False if the cap stopped the reading (the connection cannot be reused)."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # the last chunk's CRLF (trailers are not used by receivers)
            return True
        if not await _read_up_to(reader, size, kept):
            return False
        await reader.readexactly(2)


class _NotHttp(ValueError):
    """An answer whose head is not HTTP/1.x (or is too large to be read as one)."""


def _parse_head(head: bytes) -> tuple[str, int, list[tuple[str, str]]]:
    """The version, status and headers of an answer's head."""
    if len(head) > MAX_HEADER_BYTES:
        raise _NotHttp("response headers too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _NotHttp(f"not an HTTP response: {lines[0][:80]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return parts[0], int(parts[1]), headers


async def _read_body(reader: asyncio.StreamReader, status: int, fields: dict[str, str], kept: bytearray) -> bool:
    """The answer's body, as its headers delimit it, up to the cap; False when the connection cannot be reused."""
    if status in (204, 304) or status < 200:
        return True  # no body by definition, whatever the headers say
    if fields.get("transfer-encoding", "").lower() == "chunked":
        return await _read_chunked(reader, kept)
    if "content-length" in fields:
        return await _read_up_to(reader, int(fields["content-length"]), kept)
    await _read_up_to(reader, None, kept)  # delimited by the end of the connection
    return False


def _persistent(version: str, fields: dict[str, str]) -> bool:
    """HTTP/1.0 closes after each answer unless it says otherwise; HTTP/1.1 keeps the connection unless it does."""
    connection = fields.get("connection", "").lower()
    return connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"


class DeliveryTransport(httpx.AsyncBaseTransport):
    def __init__(self, keep_alive: int = 32) -> None:
        self._idle: dict[tuple[str, str, int], list[Connection]] = defaultdict(list)
        self._keep_alive = keep_alive
        self._tls = ssl.create_default_context()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        body = await request.aread()
        head = f"{request.method} {url.raw_path.decode('ascii')} HTTP/1.1\r\n".encode()
        head += b"".join(name + b": " + value + b"\r\n" for name, value in request.headers.raw) + b"\r\n"
        connect_timeout, read_timeout = _timeouts(request)
        connection = await self._take(key)
        if connection is None:
            connection = await self._connect(key, connect_timeout)
        try:
            async with asyncio.timeout(read_timeout):
                return await self._exchange(key, connection, head + body, request)
        except TimeoutError:
            connection[1].close()
            raise httpx.ReadTimeout("timed out waiting for the response", request=request) from None

    async def _take(self, key: tuple[str, str, int]) -> Connection | None:
        idle = self._idle[key]
        if idle:
            await clocks.one_turn()  # a close the receiver already sent is noticed before the connection is reused
        while idle:
            connection = idle.pop()
            if not connection[0].at_eof():
                return connection
            connection[1].close()
        return None

    async def _connect(self, key: tuple[str, str, int], seconds: float | None) -> Connection:
        scheme, host, port = key
        tls = self._tls if scheme == "https" else None
        try:
            async with asyncio.timeout(seconds):
                return await asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpx.ConnectError(f"{exc.strerror or exc} ({host}:{port})") from None

    async def _exchange(
        self, key: tuple[str, str, int], connection: Connection, data: bytes, request: httpx.Request
    ) -> httpx.Response:
        """Write the request, read the answer's head and (up to the cap) its body; keep the connection if it can
        serve another request."""
        reader, writer = connection
        try:
            writer.write(data)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            version, status, headers = _parse_head(head)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            writer.close()
            raise httpx.RemoteProtocolError(f"connection ended before a response: {exc!r}", request=request) from None
        except asyncio.LimitOverrunError:
            writer.close()
            raise httpx.RemoteProtocolError("response headers too large", request=request) from None
        except _NotHttp as exc:
            writer.close()
            raise httpx.RemoteProtocolError(str(exc), request=request) from None
        fields = {name.lower(): value for name, value in headers}
        kept = bytearray()
        try:
            complete = await _read_body(reader, status, fields, kept)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError) as exc:
            writer.close()
            raise httpx.RemoteProtocolError(f"incomplete response body: {exc!r}", request=request) from None
        if not complete or not _persistent(version, fields) or len(self._idle[key]) >= self._keep_alive:
            writer.close()
        else:
            self._idle[key].append(connection)
        return httpx.Response(status, headers=headers, content=bytes(kept))

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()
