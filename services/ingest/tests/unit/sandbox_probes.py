"""Calls the sandbox tests send to a worker: stdlib imports only, so a worker imports this module
by reference in milliseconds (a test module would drag pytest in first)."""

from __future__ import annotations


def _environment() -> dict[str, str]:
    with open("/proc/self/environ", "rb") as handle:
        raw = handle.read()
    return dict(item.decode().split("=", 1) for item in raw.split(b"\0") if b"=" in item)


def _limits() -> dict[str, tuple[int, int]]:
    import resource

    return {
        name: resource.getrlimit(getattr(resource, name))
        for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_CORE")
    }


def _connect(port: int) -> str:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as exc:
        return f"refused: {exc}"
    return "connected"
