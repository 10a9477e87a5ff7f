"""``canvas-inbox sync`` and ``canvas-inbox unread`` with --url and CANVAS_INBOX_TOKEN."""

from __future__ import annotations

import io
from typing import Any

import pytest

from canvas_inbox.cli import main
from canvas_inbox.demo import free_port
from canvas_inbox.scripting import ProgressLine
from canvas_inbox.service import SyncProgress
from tests.service.helpers import SAM, TOKENS


def test_unread_prints_the_count(
    school_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", TOKENS[SAM])
    assert main(["unread", "--url", school_sandbox.url]) == 0
    assert capsys.readouterr().out == "2\n"


def test_sync_fills_the_cache_and_prints_counts(
    school_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", TOKENS[SAM])
    assert main(["sync", "--url", school_sandbox.url, "--lists-only"]) == 0
    assert capsys.readouterr().out == "3 conversations\n"
    assert main(["sync", "--url", school_sandbox.url]) == 0
    out = capsys.readouterr()
    assert out.out == "4 conversations, 4 threads fetched, 0 up to date\n"
    assert "\r" not in out.err  # not a terminal: no progress bar
    assert main(["sync", "--url", school_sandbox.url]) == 0
    assert capsys.readouterr().out == "4 conversations, 0 threads fetched, 4 up to date\n"


def test_errors_are_one_line_and_exit_1(
    school_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["unread", "--url", school_sandbox.url]) == 1  # no token anywhere
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "CANVAS_INBOX_TOKEN" in err
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", "wrong-token")
    assert main(["unread", "--url", school_sandbox.url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "wrong-token" not in err
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", TOKENS[SAM])
    assert main(["sync", "--url", f"http://127.0.0.1:{free_port()}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("canvas-inbox: sync failed: Canvas is unreachable")
    assert err.count("\n") == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_only() -> None:
    terminal = Terminal()
    bar = ProgressLine(terminal)
    bar(SyncProgress("threads", 5, 10))
    assert terminal.getvalue().startswith("\rthreads  [############------------] 5/10")
    bar.end()
    assert terminal.getvalue().endswith("\r")
    quiet = io.StringIO()
    silent = ProgressLine(quiet)
    silent(SyncProgress("threads", 5, 10))
    silent.end()
    assert quiet.getvalue() == ""


def test_the_token_is_in_no_file_the_commands_write(
    school_sandbox: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    from pathlib import Path

    monkeypatch.setenv("CANVAS_INBOX_TOKEN", TOKENS[SAM])
    assert main(["sync", "--url", school_sandbox.url]) == 0
    assert main(["unread", "--url", school_sandbox.url]) == 0
    written = [p for p in Path(os.environ["CANVAS_INBOX_CACHE_DIR"]).rglob("*") if p.is_file()]
    assert written  # the cache is there…
    for path in written:
        assert TOKENS[SAM].encode() not in path.read_bytes(), path  # …and the token is not
    assert TOKENS[SAM] not in "".join(capsys.readouterr())
