"""``canvas-inbox login`` as a user runs it: a separate process, the token piped on stdin,
a keyring backend standing in for the OS's (tests/keyrings.py FileKeyring)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.test_login import JANE, SEED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path) -> dict[str, Path]:
    return {
        "config": tmp_path / "config" / "config.toml",
        "cache": tmp_path / "cache",
        "data": tmp_path / "data",
        "keyring": tmp_path / "os-keyring" / "keyring.json",
    }


def canvas_inbox(
    home: dict[str, Path], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    home["keyring"].parent.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CANVAS_INBOX")},
        "CANVAS_INBOX_CONFIG": str(home["config"]),
        "CANVAS_INBOX_CACHE_DIR": str(home["cache"]),
        "CANVAS_INBOX_DATA_DIR": str(home["data"]),
        "PYTHON_KEYRING_BACKEND": "tests.keyrings.FileKeyring",
        "TEST_KEYRING_FILE": str(home["keyring"]),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "canvas_inbox", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no traceback
    assert lines[0].startswith("canvas-inbox: ")
    return lines[0]


def test_login_logout_round_trip_keeps_the_token_out_of_every_file(
    sandbox_factory: Callable[..., Any], home: dict[str, Path]
) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app")
    sandbox = sandbox_factory(seed=SEED)

    login = canvas_inbox(home, "login", "--url", sandbox.url, stdin=JANE + "\n")
    assert login.returncode == 0, login.stderr
    assert login.stdout.strip() == (
        f"Logged in to {sandbox.url} as Jane Teacher (profile 'local')."
    )
    assert json.loads(home["keyring"].read_text()) == {"canvas-inbox/local": JANE}

    profiles = canvas_inbox(home, "profiles")
    assert profiles.stdout.split()[:3] == ["*", "local", sandbox.url]

    unread = canvas_inbox(home, "unread", "--profile", "local")
    assert (unread.returncode, unread.stdout.strip()) == (0, "1"), unread.stderr

    logout = canvas_inbox(home, "logout", "local")
    assert logout.returncode == 0, logout.stderr
    assert json.loads(home["keyring"].read_text()) == {}
    written = [p for p in home["config"].parent.rglob("*") if p.is_file()]
    written += [p for p in home["cache"].rglob("*") if p.is_file()]
    written += [p for p in home["data"].rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert JANE.encode() not in path.read_bytes(), path

    after = canvas_inbox(home, "unread", "--profile", "local")
    assert "No token for profile 'local'" in one_line_error(after)


def test_a_wrong_token_is_one_line_and_nothing_is_kept(
    sandbox_factory: Callable[..., Any], home: dict[str, Path]
) -> None:
    pytest.importorskip("canvas_inbox.sandbox.app")
    sandbox = sandbox_factory(seed=SEED)
    result = canvas_inbox(home, "login", "--url", sandbox.url, stdin="nope-nope\n")
    assert "did not accept that token" in one_line_error(result)
    assert "nope-nope" not in result.stderr
    assert not home["config"].exists()
    assert not home["keyring"].exists() or json.loads(home["keyring"].read_text()) == {}


def test_an_unreachable_canvas_is_one_line(home: dict[str, Path]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = canvas_inbox(home, "login", "--url", f"http://127.0.0.1:{port}", stdin="some-token\n")
    line = one_line_error(result)
    assert line == f"canvas-inbox: Could not connect to 127.0.0.1:{port} (connection refused)"
    assert not home["config"].exists()


def test_plain_http_to_a_school_is_refused_in_one_line(home: dict[str, Path]) -> None:
    result = canvas_inbox(
        home, "login", "--url", "http://school.instructure.com", stdin="some-token\n"
    )
    assert "Refusing plain http:// for school.instructure.com" in one_line_error(result)


def test_no_token_on_stdin_is_one_line(home: dict[str, Path]) -> None:
    result = canvas_inbox(home, "login", "--url", "https://school.instructure.com", stdin="")
    assert "No token given" in one_line_error(result)
