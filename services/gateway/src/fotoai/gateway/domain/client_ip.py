"""Which address a request came from, believing `X-Forwarded-For` only from trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in specs if s.strip())


def _trusted(addr: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The first address, from the right, that is not one of our trusted proxies.

    A client can prepend anything to `X-Forwarded-For`; only the entries appended by proxies
    we trust are believed, so the walk stops at the first untrusted hop.
    """
    peer = peer or "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage in the chain: fall back to what we saw ourselves
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
