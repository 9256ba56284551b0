"""The shutdown deadline: what is still in flight `--shutdown-timeout` seconds after SIGTERM is abandoned, and said.

On a stop signal uvicorn waits for every open request to finish; one that never does (a stalled upload, a fault's
long delay, a manual advance waiting on receivers that hang) kept the process alive for ever. The envelope registers
each request here; once the deadline passes each is cancelled, logged, and answered 503 if it had not answered yet.
Deliveries still in flight are then cancelled by the app's own shutdown, which logs each undelivered event.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import Scope

logger = logging.getLogger(__name__)


class Shutdown:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._requests: dict[asyncio.Task[object], Scope] = {}
        self._abandoned: set[asyncio.Task[object]] = set()
        self._armed = False

    def serving(self) -> None:
        """Called once the server's loop runs (the app's start-up)."""
        self._loop = asyncio.get_running_loop()

    def enter(self, scope: Scope) -> asyncio.Task[object] | None:
        """A request begins; what it is (method and path) is only put into words if it is ever abandoned."""
        # With the loop named, `current_task` skips asking for the running loop, which on Python 3.11 is a
        # `getpid()` system call (a fork check): one on every request, the only one the server made beside its
        # reads and writes.
        task = asyncio.current_task(self._loop) if self._loop is not None else None
        if task is None:  # no lifespan ran, or it ran on another loop than this request's
            task = asyncio.current_task()
        if task is not None:
            self._requests[task] = scope
        return task

    def leave(self, task: asyncio.Task[object] | None) -> None:
        if task is not None:
            self._requests.pop(task, None)
            self._abandoned.discard(task)

    def was_abandoned(self, task: asyncio.Task[object] | None) -> bool:
        return task in self._abandoned

    def stop_requested(self) -> None:
        """Start the deadline; safe to call from a signal handler, and more than once."""
        loop = self._loop
        if loop is not None and not self._armed:
            self._armed = True
            loop.call_soon_threadsafe(loop.call_later, self.seconds, self.abandon)

    def abandon(self) -> None:
        """Cancel every request still in flight, saying which."""
        if self._requests:
            logger.warning(
                "shutdown deadline (%g s) passed: abandoning %d request(s) in flight", self.seconds, len(self._requests)
            )
        for task, scope in list(self._requests.items()):
            logger.warning("abandoned at shutdown: %s %s", scope["method"], scope["path"])
            self._abandoned.add(task)
            task.cancel()
