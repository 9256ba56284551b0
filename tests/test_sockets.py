from __future__ import annotations

import socket

from mockserver.sockets import bind_tcp


def test_listening_sockets_say_they_are_tcp_so_connections_get_nodelay() -> None:
    # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; with proto 0 every keep-alive response
    # waited out the client's delayed ACK (~40 ms a request).
    sock = bind_tcp("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()
