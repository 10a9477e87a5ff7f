"""The real app in a real terminal: tmux runs ``canvas-inbox``, tests type keys and read
what the terminal shows, as a user would.

Each ``Terminal`` is its own tmux server (``-L`` socket, no user config), so a test never
sees or disturbs anybody's tmux. Beyond the screen's text a test can read what a hostile
escape sequence would have changed: the window title (OSC 0/2) and the clipboard (OSC 52,
which tmux keeps as a paste buffer when ``set-clipboard`` is on).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
# The app's own interpreter: the venv's, so the installed package is the one run.
APP = [sys.executable, "-m", "canvas_inbox"]
# A tmux-driven test never waits longer than this for one screen.
WAIT = float(os.environ.get("CANVAS_INBOX_TMUX_WAIT", "20"))


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=10,
        )
        return done.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        """``send-keys``: tmux key names (``Enter``, ``Escape``, ``C-j``), or text with
        ``literal`` (sent as one burst, as a paste or a fast typist would)."""
        self.tmux("send-keys", "-t", "app", *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "app", "#{pane_title}").strip()

    def clipboard(self) -> str:
        """What OSC 52 put on the clipboard (tmux's newest buffer), or ''."""
        return self.tmux("show-buffer", check=False)

    def alive(self) -> bool:
        dead = self.tmux("list-panes", "-t", "app", "-F", "#{pane_dead}", check=False)
        return dead.strip() == "0"

    def wait_for(self, condition: str | Callable[[str], bool], timeout: float = WAIT) -> str:
        """The screen once it contains ``condition`` (or satisfies it); fails with the
        screen as it was after ``timeout``."""
        test = (lambda s: condition in s) if isinstance(condition, str) else condition
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if test(shown):
                return shown
            if time.monotonic() > deadline:
                pytest.fail(f"the terminal never showed {condition!r}; it shows:\n{shown}")
            time.sleep(0.1)


@contextmanager
def terminal(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    size: tuple[int, int] = (80, 24),
    cwd: Path | None = None,
) -> Iterator[Terminal]:
    """Run ``APP + argv`` in a fresh tmux server of ``size`` (columns, rows); the server is
    killed when the block ends, whatever happened."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    term = Terminal(f"canvas-inbox-test-{uuid.uuid4().hex[:12]}")
    columns, rows = size
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    command = " ".join(_quote(part) for part in [*APP, *argv])
    exports = " ".join(f"{k}={_quote(v)}" for k, v in environment.items())
    try:
        term.tmux("-u", "new-session", "-d", "-s", "app", "-x", str(columns), "-y", str(rows),
                  *(["-c", str(cwd)] if cwd else []),
                  f"env -i {exports} {command}")  # fmt: skip
        term.tmux("set-option", "-g", "set-clipboard", "on")
        term.tmux("set-option", "-g", "remain-on-exit", "on")
        term.tmux("set-option", "-g", "allow-rename", "on")
        yield term
    finally:
        term.tmux("kill-server", check=False)


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)
