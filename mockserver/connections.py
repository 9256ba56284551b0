"""The HTTP connections uvicorn serves (the protocol classes `mockserver.stack` chooses between).

uvicorn arms its keep-alive timer only once a response is complete, so a client that connects and says nothing holds
a file descriptor for ever; a few hundred of them starved the server at a descriptor limit of 256. The protocols
here arm the timer when the connection opens too, and the first bytes of a request disarm it as usual.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING

from uvicorn.protocols.http.h11_impl import H11Protocol


class _IdleClosing:
    """Arms uvicorn's keep-alive timer when the connection opens, not only after a first response."""

    if TYPE_CHECKING:  # what uvicorn's protocols have; never defined here, or it would shadow theirs
        loop: asyncio.AbstractEventLoop
        timeout_keep_alive: float
        timeout_keep_alive_task: asyncio.TimerHandle | None

        def timeout_keep_alive_handler(self) -> None: ...

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)


class IdleClosingH11(_IdleClosing, H11Protocol):  # type: ignore[misc]
    pass


@functools.cache
def idle_closing_httptools() -> type[asyncio.Protocol]:
    # Imported only when chosen: httptools may not be installed.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class IdleClosingHttpTools(_IdleClosing, HttpToolsProtocol):  # type: ignore[misc]
        pass

    return IdleClosingHttpTools
