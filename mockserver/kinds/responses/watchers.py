"""Who waits for a response to change: the streams of background responses that are not finished yet.

A stream waits on an `asyncio.Event` of its own event loop; a change is announced with `call_soon_threadsafe`, since
the change may happen on another loop (the in-process sync test client runs each request on a loop of its own)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class Watchers:
    def __init__(self) -> None:
        self._waiting: dict[asyncio.Event, asyncio.AbstractEventLoop] = {}

    @contextlib.contextmanager
    def watching(self) -> Iterator[asyncio.Event]:
        """An event set on every change while the block runs (cleared by the waiter once it has looked)."""
        wakeup = asyncio.Event()
        self._waiting[wakeup] = asyncio.get_running_loop()
        try:
            yield wakeup
        finally:
            self._waiting.pop(wakeup, None)

    def notify(self) -> None:
        for wakeup, loop in list(self._waiting.items()):
            with contextlib.suppress(RuntimeError):  # that stream's loop has closed: nobody is waiting any more
                loop.call_soon_threadsafe(wakeup.set)
