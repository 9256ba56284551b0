"""The HTTP connections uvicorn serves: idle ones are closed, including those that never sent a request.

uvicorn arms its keep-alive timer only once a response is complete, so a client that connects and says nothing holds
a file descriptor for ever; a few hundred of them starved the server at a descriptor limit of 256. The timer is
armed when the connection opens too, and the first bytes of a request disarm it as usual.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol


class IdleClosingH11(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)
