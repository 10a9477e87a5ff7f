"""TLS set-up: the CA bundle is loaded once per process, and not at all for a plain-http
loopback profile (the sandbox) until it has to reach an https host (an upload host)."""

from __future__ import annotations

from canvas_inbox.canvas import CanvasClient
from canvas_inbox.canvas._http import ssl_context


def _cas(client: CanvasClient) -> int:
    return int(client._wire._ssl.cert_store_stats()["x509_ca"])


async def test_https_profiles_share_one_verifying_context() -> None:
    first, loaded = ssl_context("https://school.instructure.com")
    second, _ = ssl_context("https://other.instructure.com")
    assert loaded
    assert first is second
    assert first.cert_store_stats()["x509_ca"] > 0


async def test_a_loopback_http_profile_loads_cas_only_before_going_to_https() -> None:
    async with CanvasClient("http://127.0.0.1:9", "token") as client:
        assert _cas(client) == 0
        client._wire.trust_public_cas("http://127.0.0.1:9/files")
        assert _cas(client) == 0  # plain http needs none
        client._wire.trust_public_cas("https://uploads.example.com/bucket")
        assert _cas(client) > 0
