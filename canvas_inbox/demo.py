"""``canvas-inbox --demo``: the app on a demo school served by a local sandbox.

The sandbox runs as a subprocess, not a thread: it is a separate program speaking HTTP,
and its own event loop must not compete with the app's for the terminal's process.
"""

from __future__ import annotations

import argparse
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

READY = "Canvas sandbox listening on "
READY_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_sandbox(live_events_port: int) -> tuple[subprocess.Popen[str], str]:
    """Start the sandbox and wait for its readiness line; returns (process, base URL)."""
    command = [
        sys.executable, "-m", "canvas_inbox.sandbox",
        "--host", "127.0.0.1", "--port", "0", "--seed", "demo", "--activity", "45",
        "--live-events-url", f"http://127.0.0.1:{live_events_port}/events",
    ]  # fmt: skip
    # Our own interpreter and fixed arguments: nothing here comes from the user or Canvas.
    process = subprocess.Popen(  # noqa: S603
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    found: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_watch, args=(process.stdout, found), daemon=True).start()
    try:
        url = found.get(timeout=READY_TIMEOUT)
    except queue.Empty:
        url = None
    if url is None:
        stop(process)
        raise RuntimeError("the demo sandbox did not start")
    return process, url


def _watch(stream: IO[str], found: queue.Queue[str | None]) -> None:
    """Hand over the readiness line, then keep draining: the sandbox goes on printing
    (users and tokens, not ours to show) and a full or closed pipe would stop it."""
    announced = False
    for line in stream:
        if not announced and line.startswith(READY):
            found.put(line[len(READY) :].strip())
            announced = True
    if not announced:
        found.put(None)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_demo(args: argparse.Namespace) -> int:
    from canvas_inbox.config import ConfigError, Settings, load_config
    from canvas_inbox.sandbox.demo_school import DEMO_USER_TOKEN
    from canvas_inbox.ui.launch import build_service, run_app, run_tui

    try:
        settings = load_config().settings
    except ConfigError:
        settings = Settings()
    events_port = free_port()
    try:
        process, url = start_sandbox(events_port)
    except (OSError, RuntimeError) as error:
        print(f"canvas-inbox: cannot start the demo: {error}", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="canvas-inbox-demo-") as cache:
            service = build_service(
                url, DEMO_USER_TOKEN, Path(cache), settings, live_events_port=events_port
            )
            outcome = run_app(service, settings, base_url=url)
    finally:
        stop(process)
    if isinstance(outcome, str):
        # The user logged in to a real account from the demo: carry on there.
        return run_tui(argparse.Namespace(profile=outcome, url=None))
    return outcome
