"""The demo's sandbox handling: readiness line, draining, and always stopping it."""

from __future__ import annotations

import io
import queue
import subprocess
import sys

from canvas_inbox.demo import _watch, free_port, stop


def test_readiness_line_gives_the_url_and_the_rest_is_drained() -> None:
    stream = io.StringIO(
        "starting\nCanvas sandbox listening on http://127.0.0.1:5123\n"
        "  1 Demo Student token-demo\n" * 3
    )
    found: queue.Queue[str | None] = queue.Queue()
    _watch(stream, found)
    assert found.get_nowait() == "http://127.0.0.1:5123"
    assert found.empty()
    assert stream.read() == ""  # everything after it was read, so the pipe never fills


def test_a_sandbox_that_never_announces_itself_is_reported() -> None:
    found: queue.Queue[str | None] = queue.Queue()
    _watch(io.StringIO("Traceback: oops\n"), found)
    assert found.get_nowait() is None


def test_stop_ends_the_process() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], text=True)
    stop(process)
    assert process.poll() is not None
    assert 0 < free_port() < 65536
