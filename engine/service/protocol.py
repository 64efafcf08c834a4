"""uvicorn's HTTP protocol with TCP_NODELAY on every connection, and the event loop the service runs on.

With `--workers N` uvicorn listens on a socket it creates without `IPPROTO_TCP`, so asyncio does
not set TCP_NODELAY on the accepted connections; uvicorn writes a response's headers and body
separately, and Nagle's algorithm then holds the body until the client's delayed ACK: ~40 ms added
to every call (measured with bench/bench_service.py).  Setting the option here fixes both modes.

The HTTP parser is httptools (llhttp, C) and the loop uvloop (libuv) when they are installed (they are
dependencies on Linux and macOS): a patient-view call carries a 200 KB prefetch, which h11 (pure Python)
and asyncio's selector loop read with about twice the event loop's CPU.  h11 and asyncio remain the
fallback (e.g. on Windows, where uvloop does not exist).
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


def event_loop() -> str:
    """uvicorn's `loop` setting: uvloop when installed, else asyncio."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"
