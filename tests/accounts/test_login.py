"""Logging in: the token is checked, kept in the keyring only, and every way it can go
wrong gets its own one-line message. Against the sandbox where it can say it, else a
MockTransport or a real loopback socket."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from canvas_inbox import accounts, config, credentials
from canvas_inbox.accounts import AccountError
from tests.keyrings import MemoryKeyring

SEED: dict[str, Any] = {
    "users": [
        {
            "id": 1,
            "name": "Jane Teacher",
            "short_name": "Jane",
            "sortable_name": "Teacher, Jane",
            "login_id": "jane@example.edu",
            "token": "token-jane-0123456789",
        },
        {
            "id": 2,
            "name": "Bob Student",
            "short_name": "Bob",
            "sortable_name": "Student, Bob",
            "login_id": "bob@example.edu",
            "token": "token-bob-0123456789",
        },
    ],
    "courses": [
        {
            "id": 12,
            "name": "Biology 101",
            "course_code": "BIO101",
            "workflow_state": "available",
            "enrollments": [
                {"user_id": 1, "type": "TeacherEnrollment"},
                {"user_id": 2, "type": "StudentEnrollment"},
            ],
        }
    ],
    "conversations": [
        {
            "from": 2,
            "to": ["1"],
            "subject": "Lab report",
            "body": "Is it due Friday?",
            "context_code": "course_12",
            "created_at": "2026-09-01T10:00:00Z",
        }
    ],
}
JANE = "token-jane-0123456789"


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Any]) -> Any:
    pytest.importorskip("canvas_inbox.sandbox.app")
    return sandbox_factory(seed=SEED)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def assert_nothing_saved(ring: MemoryKeyring) -> None:
    assert ring.passwords == {}
    assert not config.config_path().exists()


# --- against the sandbox ----------------------------------------------------------------


def test_login_keeps_the_token_in_the_keyring_and_the_profile_without_it(
    sandbox: Any, isolated_home: MemoryKeyring
) -> None:
    name, profile = run(accounts.login(sandbox.url + "/courses/12/", f"  {JANE}\n"))

    assert name == "local"
    assert (profile.url, profile.user_id, profile.user_name) == (sandbox.url, 1, "Jane Teacher")
    assert isolated_home.passwords == {(credentials.SERVICE_NAME, "local"): JANE}
    text = config.config_path().read_text()
    assert sandbox.url in text
    assert "Jane Teacher" in text
    assert JANE not in text
    assert config.load_config().default_profile == "local"
    connection = accounts.resolve_connection()
    assert (connection.base_url, connection.token) == (sandbox.url, JANE)


def test_a_wrong_token_is_refused_and_nothing_is_kept(
    sandbox: Any, isolated_home: MemoryKeyring
) -> None:
    with pytest.raises(AccountError) as caught:
        run(accounts.login(sandbox.url, "not-a-real-token"))
    host = sandbox.url.removeprefix("http://")
    assert str(caught.value) == (
        f"{host} did not accept that token: check it was copied whole, or make a new one"
    )
    assert "not-a-real-token" not in str(caught.value)
    assert_nothing_saved(isolated_home)


def test_after_login_use_and_logout_no_file_holds_the_token(
    sandbox: Any, isolated_home: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    from canvas_inbox import cli

    name, _ = run(accounts.login(sandbox.url, JANE, "school"))
    assert cli.main(["unread", "--profile", name]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert cli.main(["sync", "--profile", name]) == 0
    cache = config.cache_root()
    assert files_under(cache), "sync wrote a cache"

    assert accounts.logout(name) == name
    assert isolated_home.passwords == {}
    assert files_under(config.data_root()), "the drafts file is there too"
    for path in files_under(config.config_path().parent, cache, config.data_root()):
        assert JANE.encode() not in path.read_bytes(), path
    with pytest.raises(AccountError, match="No token for profile 'school'"):
        accounts.resolve_connection(name)


# --- what the sandbox cannot say -------------------------------------------------------


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


def test_an_expired_token_says_so(isolated_home: MemoryKeyring) -> None:
    def expired(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"errors": [{"message": "Expired access token.", "expired_at": "2026-01-01"}]},
            headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
        )

    with pytest.raises(AccountError) as caught:
        run(accounts.login("school.instructure.com", "old-token", transport=mock(expired)))
    assert str(caught.value) == (
        "That token has expired: make a new one in Canvas (Account → Settings)"
    )
    assert_nothing_saved(isolated_home)


def test_an_unreachable_host_says_so(isolated_home: MemoryKeyring) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed now: nothing listens there.
    with pytest.raises(AccountError) as caught:
        run(accounts.login(f"http://127.0.0.1:{port}", "some-token"))
    line = str(caught.value)
    assert line.startswith(f"Could not connect to 127.0.0.1:{port} (")
    assert "\n" not in line
    assert_nothing_saved(isolated_home)


class _Blog(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body><h1>My blog</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def blog() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Blog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_site_that_is_not_canvas_says_so(blog: str, isolated_home: MemoryKeyring) -> None:
    with pytest.raises(AccountError) as caught:
        run(accounts.login(blog, "some-token"))
    assert str(caught.value) == f"{blog} does not look like a Canvas site (no API there)"
    assert_nothing_saved(isolated_home)


def test_a_json_api_that_is_not_canvas_says_so(isolated_home: MemoryKeyring) -> None:
    def other_api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not Found"})

    with pytest.raises(AccountError, match="does not look like a Canvas site"):
        run(accounts.login("api.example.com", "some-token", transport=mock(other_api)))


def test_a_vanity_address_that_redirects_names_the_real_one(
    isolated_home: MemoryKeyring,
) -> None:
    seen: list[httpx.Request] = []

    def vanity(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            302, headers={"location": "https://school.instructure.com/api/v1/users/self"}
        )

    with pytest.raises(AccountError) as caught:
        run(accounts.login("canvas.school.edu", "some-token", transport=mock(vanity)))
    assert str(caught.value) == (
        "https://canvas.school.edu sends you on to https://school.instructure.com: "
        "log in with --url https://school.instructure.com"
    )
    assert [r.url.host for r in seen] == ["canvas.school.edu"]  # the token stayed home


@pytest.mark.parametrize(
    "url", ["http://school.instructure.com", "http://10.0.0.5:8080", "http://example.edu/login"]
)
def test_plain_http_is_refused_before_anything_is_sent(
    url: str, isolated_home: MemoryKeyring
) -> None:
    seen: list[httpx.Request] = []

    def never(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1})

    with pytest.raises(AccountError, match="Refusing plain http://"):
        run(accounts.login(url, "some-token", transport=mock(never)))
    assert seen == []
    assert_nothing_saved(isolated_home)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_is_allowed_on_loopback(url: str, isolated_home: MemoryKeyring) -> None:
    def me(request: httpx.Request) -> httpx.Response:
        assert request.url.scheme == "http"
        return httpx.Response(200, json={"id": 7, "name": "Local Me"})

    name, profile = run(accounts.login(url, "some-token", transport=mock(me)))
    assert (name, profile.user_id) == ("local", 7)


def test_a_token_pasted_with_a_line_break_inside_is_one_clear_line(
    isolated_home: MemoryKeyring,
) -> None:
    with pytest.raises(AccountError) as caught:
        run(accounts.login("school.instructure.com", "abc\ndef"))
    assert str(caught.value) == (
        "The access token has spaces or characters a token cannot have; copy it again"
    )
    assert_nothing_saved(isolated_home)


def test_an_empty_token_is_refused(isolated_home: MemoryKeyring) -> None:
    with pytest.raises(AccountError, match="No token given"):
        run(accounts.login("school.instructure.com", "  \n"))


def test_an_unwritable_config_is_one_line_and_leaves_no_token(
    monkeypatch: pytest.MonkeyPatch, isolated_home: MemoryKeyring
) -> None:
    import errno

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(config, "save_config", disk_full)

    def me(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": 7, "name": "Me"})

    with pytest.raises(AccountError) as caught:
        run(accounts.login("school.instructure.com", "good-token", transport=mock(me)))
    assert str(caught.value) == (
        f"Could not write {config.config_path()} (No space left on device)"
    )
    assert isolated_home.passwords == {}  # no profile points at it, so it is not kept
