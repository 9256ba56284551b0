"""The delivery transport against a scripted raw server: every way a receiver can answer, or fail to."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from mockserver.webhooks.transport import MAX_BODY_BYTES, DeliveryTransport

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


class Server:
    def __init__(self) -> None:
        self.connections = 0
        self.closed = asyncio.Event()  # a connection was closed by the server
        self.requests: list[bytes] = []
        self.script: Script | None = None
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        assert self.script is not None
        try:
            await self.script(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self.closed.set()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    listener = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/hooks"
    async with listener:
        yield state


async def _post(url: str, seconds: float = 2.0) -> httpx.Response:
    async with httpx.AsyncClient(transport=DeliveryTransport()) as client:
        return await client.post(url, content=b'{"a": 1}', headers={"webhook-id": "wh_1"}, timeout=seconds)


def answering(*responses: bytes) -> Script:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            await _request(reader)
            writer.write(response)
            await writer.drain()

    return script


async def test_content_length_chunked_204_and_eof_bodies(server: Server) -> None:
    cases = [
        (b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", 200, b"ok"),
        (b"HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 202, b"abcde"),
        (b"HTTP/1.1 204 No Content\r\n\r\n", 204, b""),
        (b"HTTP/1.0 500 Oops\r\n\r\nbroken", 500, b"broken"),
    ]
    for raw, status, body in cases:
        server.script = answering(raw)
        response = await _post(server.url)
        assert (response.status_code, response.content) == (status, body)


async def test_the_request_is_what_was_asked(server: Server) -> None:
    captured: list[bytes] = []

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        captured.append(await _request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")

    server.script = script
    await _post(server.url)
    head, _, body = captured[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /hooks HTTP/1.1\r\n") and b"webhook-id: wh_1" in head and body == b'{"a": 1}'


async def test_keep_alive_is_reused_and_a_closed_one_is_replaced(server: Server) -> None:
    transport = DeliveryTransport()
    server.script = answering(*[b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"] * 3)
    async with httpx.AsyncClient(transport=transport) as client:
        for _ in range(3):
            assert (await client.post(server.url, content=b"{}")).status_code == 200
        assert server.connections == 1
        # The receiver now closes every connection after one answer; the kept one is found closed and replaced.
        await server.closed.wait()
        server.script = answering(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        for _ in range(2):
            assert (await client.post(server.url, content=b"{}")).status_code == 200
        assert server.connections == 3


async def test_a_kept_alive_connection_reset_after_the_request_is_a_failed_attempt_not_resent(server: Server) -> None:
    seen = 0

    async def once_then_reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal seen
        await _request(reader)
        seen += 1
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        await _request(reader)  # the second request arrives on the kept connection, and is dropped unanswered
        seen += 1

    server.script = once_then_reset
    async with httpx.AsyncClient(transport=DeliveryTransport()) as client:
        assert (await client.post(server.url, content=b"{}")).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(server.url, content=b"{}")
    assert (seen, server.connections) == (2, 1)  # the receiver saw two requests, and the client made two attempts


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n40000000\r\n",
        b"HTTP/1.1 200 OK\r\n\r\n",
    ],
)
async def test_a_huge_answer_is_read_up_to_the_cap_and_is_still_a_success(server: Server, head: bytes) -> None:
    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(head)
        for _ in range(64):  # 4 MB, then silence: the client must not wait for the 1 GB it was promised
            writer.write(b"x" * 65536)
            await writer.drain()
        await asyncio.Event().wait()

    server.script = huge
    response = await _post(server.url)
    assert response.status_code == 200
    assert response.content == b"x" * MAX_BODY_BYTES


async def test_a_receiver_that_hangs_times_out(server: Server) -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        await asyncio.Event().wait()

    server.script = hang
    with pytest.raises(httpx.ReadTimeout):
        await _post(server.url, seconds=0.2)


@pytest.mark.parametrize(
    "answer",
    [b"this is not HTTP\r\n\r\n", b"", b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort"],
)
async def test_garbage_silence_and_short_bodies_are_protocol_errors(server: Server, answer: bytes) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(answer)
        await writer.drain()

    server.script = script
    with pytest.raises(httpx.RemoteProtocolError):
        await _post(server.url)


async def test_huge_headers_are_refused(server: Server) -> None:
    server.script = answering(b"HTTP/1.1 200 OK\r\nx-big: " + b"a" * 100_000 + b"\r\n\r\n")
    with pytest.raises(httpx.RemoteProtocolError, match="too large"):
        await _post(server.url)


async def test_a_refused_connection_is_a_connect_error() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(httpx.ConnectError):
        await _post(f"http://127.0.0.1:{port}/hooks")
