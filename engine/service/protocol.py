"""uvicorn's HTTP protocol with TCP_NODELAY on every connection.

With `--workers N` uvicorn listens on a socket it creates without `IPPROTO_TCP`, so asyncio does
not set TCP_NODELAY on the accepted connections; uvicorn writes a response's headers and body
separately, and Nagle's algorithm then holds the body until the client's delayed ACK: ~40 ms added
to every call (measured with bench/bench_service.py).  Setting the option here fixes both modes.

The HTTP parser is httptools (llhttp, in C; a dependency) when it is installed, h11 otherwise: a
patient-view call carries a 200 KB prefetch, and with h11 (pure Python) the event loop spent 1.6-2.2 ms
of CPU per call against 1.4 ms with httptools (bench/bench_service.py, 1 client, fresh patients, three
alternating runs each).  uvloop was measured too and saved nothing more (1.4-1.7 ms), so the loop stays
asyncio's.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def _no_delay(transport: Any) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


try:  # a module-level class: uvicorn pickles the protocol class into its worker processes
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

    HTTPTOOLS = True
except ImportError:  # httptools not installed
    HTTPTOOLS = False


def http_protocol() -> type:
    """httptools' protocol when installed, else h11's; either with TCP_NODELAY."""
    return NoDelayHttpToolsProtocol if HTTPTOOLS else NoDelayH11Protocol
