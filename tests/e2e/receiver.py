"""A real HTTP webhook receiver on 127.0.0.1 (port 0), scriptable to misbehave the ways real receivers do."""

from __future__ import annotations

import collections
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Literal

from mockserver.testing.receiver import ReceiverServer

Behaviour = Literal["ok", "fail", "gone", "hang", "reset", "garbage", "redirect"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def content(self) -> bytes:
        return self.body


class LoopbackReceiver:
    """Misbehaves as scripted (`then(...)`), else as `choose()` says (a load test's seeded mix), else answers 200."""

    def __init__(self, choose: Callable[[], Behaviour] | None = None) -> None:
        self.received: list[Received] = []
        # What it did, and the 200s it sent per webhook-id: what a receiver saw as delivered.
        self.behaviours: collections.Counter[str] = collections.Counter()
        self.answered: collections.Counter[str] = collections.Counter()
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        # Signalled on each arrival, so that a test waits on the condition it needs rather than polling a clock.
        self._arrived = threading.Condition(self._lock)
        self._hang = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the stdlib's name
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    receiver._arrived.notify_all()
                    if receiver._script:
                        behaviour = receiver._script.popleft()
                    else:
                        behaviour = choose() if choose is not None else "ok"
                    receiver.behaviours[behaviour] += 1
                if behaviour == "hang":
                    receiver._hang.wait(30)
                    return
                if behaviour == "reset":
                    # SO_LINGER 0: close() sends RST, the way a crashed receiver drops a connection.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                if behaviour == "garbage":
                    self.wfile.write(b"this is not HTTP\r\n\r\n")
                    return
                status = {"ok": 200, "fail": 500, "gone": 410, "redirect": 302}[behaviour]
                self.send_response(status)
                if behaviour == "redirect":
                    self.send_header("location", "http://127.0.0.1:9/")
                self.send_header("content-length", "0")
                self.end_headers()
                if status == 200:
                    with receiver._lock:
                        receiver.answered[self.headers["webhook-id"]] += 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ReceiverServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def then(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self._script.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """For the real clock only; the manual clock's advance already waits for deliveries."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.received) >= count, timeout)
            assert arrived, f"expected {count} deliveries, got {len(self.received)}"
            return list(self.received)

    def close(self) -> None:
        self._hang.set()
        self._server.shutdown()
        self._server.server_close()
