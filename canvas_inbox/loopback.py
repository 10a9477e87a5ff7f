"""Whether a host name stays on this machine: the one rule behind plain http (allowed only
to a loopback Canvas, such as the sandbox), the token's reach and the sandbox's bind."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """``localhost``, a ``*.localhost`` name (RFC 6761) or a loopback address (127.0.0.0/8,
    ``::1``, with or without the brackets of a URL)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
