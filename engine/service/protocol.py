"""uvicorn's HTTP protocol with TCP_NODELAY on every connection.

With `--workers N` uvicorn listens on a socket it creates without `IPPROTO_TCP`, so asyncio does
not set TCP_NODELAY on the accepted connections; uvicorn writes a response's headers and body
separately, and Nagle's algorithm then holds the body until the client's delayed ACK: ~40 ms added
to every call (measured with bench/bench_service.py).  Setting the option here fixes both modes.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
