"""The sandbox's command line, as a separate process: readiness line, tokens, errors, Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from canvas_inbox.loopback import is_loopback
from canvas_inbox.sandbox.cli import printable
from canvas_inbox.sandbox.demo_school import DEMO_USER_TOKEN

READY = re.compile(r"^Canvas sandbox listening on http://127\.0\.0\.1:(\d+)$")
START_TIMEOUT = 30.0  # generous: the machine is shared; this is not a speed test
pytestmark = pytest.mark.skipif(
    not (Path(__file__).parents[2] / "canvas_inbox" / "sandbox" / "app.py").exists(),
    reason="the sandbox app is not in the tree yet",
)


class Sandbox:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self) -> str | None:
        return self.lines.get(timeout=START_TIMEOUT)


def _command(*args: str, module: str = "canvas_inbox.sandbox") -> list[str]:
    return [sys.executable, "-m", module, *args]


@contextmanager
def running(*args: str, module: str = "canvas_inbox.sandbox") -> Iterator[Sandbox]:
    process = subprocess.Popen(
        _command(*args, module=module),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield Sandbox(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _fails(*args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        _command(*args), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    return done.returncode, done.stdout, done.stderr


def test_demo_prints_the_readiness_line_then_users_and_answers_http() -> None:
    with running("--port", "0", "--seed", "demo") as sandbox:
        first = sandbox.next_line()
        assert first is not None
        match = READY.match(first)
        assert match, first
        port = int(match.group(1))
        assert port > 0
        users = []
        while len(users) < 5:
            line = sandbox.next_line()
            assert line is not None
            users.append(line)
        assert all("token:" in line for line in users)
        answer = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/users/self",
            headers={"Authorization": f"Bearer {DEMO_USER_TOKEN}"},
        )
        assert answer.status_code == 200
        assert answer.json()["name"] == "Maya Okafor"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/users/self").status_code == 401
        sandbox.process.send_signal(signal.SIGINT)  # Ctrl-C
        assert sandbox.process.wait(timeout=15) == 0
        assert sandbox.process.stderr is not None
        assert "Traceback" not in sandbox.process.stderr.read()


def test_the_canvas_inbox_sandbox_command_is_the_same_program(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps({"users": [{"id": 1, "name": "Jane Teacher", "token": "token-jane"}]})
    )
    with running("sandbox", "--port", "0", "--seed", str(seed), module="canvas_inbox") as box:
        first = box.next_line()
        assert first is not None
        match = READY.match(first)
        assert match, first
        assert "Jane Teacher" in (box.next_line() or "")
        answer = httpx.get(
            f"http://127.0.0.1:{match.group(1)}/api/v1/users/self",
            params={"access_token": "token-jane"},
        )
        assert answer.json()["id"] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--seed", "/nonexistent/seed.json"), "not found"),
        (("--fail-rate", "2"), "--fail-rate"),
        (("--latency", "-5"), "--latency"),
        (("--port", "abc"), "--port"),
        (("--port", "70000"), "--port"),
        (("--live-events-url", "ftp://x"), "--live-events-url"),
        (("--activity", "nan"), "--activity"),
    ],
)
def test_bad_options_get_one_line_and_exit_code_2(args: tuple[str, ...], words: str) -> None:
    code, out, err = _fails("--port", "0", *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert words in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"courses": []}),
        json.dumps(
            {
                "users": [{"id": 1, "name": "A", "token": "t"}],
                "conversations": [{"from": 99, "to": ["1"], "body": "hi"}],
            }
        ),
    ],
)
def test_a_bad_seed_file_gets_one_line_and_exit_code_2(tmp_path: Path, content: str) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(content)
    code, _, err = _fails("--port", "0", "--seed", str(seed))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("canvas-inbox sandbox: ")
    assert "Traceback" not in err


def test_a_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, _, err = _fails("--port", str(port), "--seed", "empty")
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert f"127.0.0.1:{port}" in err


def test_loopback_hosts_are_recognised() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert is_loopback("[::1]")  # as a URL writes it
    assert is_loopback("canvas.localhost")  # RFC 6761
    assert not is_loopback("localhost.example.com")
    assert not is_loopback("0.0.0.0")  # noqa: S104 - the very case that earns a warning
    assert not is_loopback("192.168.1.10")


def test_names_from_a_seed_cannot_drive_the_terminal() -> None:
    assert printable("Eve\x1b[2J\u202eevil\x07") == "Eve[2Jevil"


def _port_of(sandbox: Sandbox) -> int:
    first = sandbox.next_line()
    assert first is not None
    match = READY.match(first)
    assert match, first
    return int(match.group(1))


def test_db_keeps_the_mail_across_restarts(tmp_path: Path) -> None:
    database = tmp_path / "sandbox.sqlite3"
    headers = {"Authorization": f"Bearer {DEMO_USER_TOKEN}"}
    with running("--port", "0", "--seed", "demo", "--db", str(database)) as sandbox:
        api = f"http://127.0.0.1:{_port_of(sandbox)}/api/v1"
        sent = httpx.post(
            f"{api}/conversations",
            data={"recipients[]": "11", "body": "Kept?", "subject": "Persistence"},
            headers=headers,
        )
        assert sent.status_code == 201
        sandbox.process.send_signal(signal.SIGINT)
        assert sandbox.process.wait(timeout=15) == 0
    with running("--port", "0", "--seed", "demo", "--db", str(database)) as sandbox:
        api = f"http://127.0.0.1:{_port_of(sandbox)}/api/v1"
        listed = httpx.get(f"{api}/conversations", params={"scope": "sent"}, headers=headers)
        assert listed.json()[0]["subject"] == "Persistence"
