"""UI benchmark: prints figures, asserts nothing. Run: .venv/bin/python tests/benchmarks/bench_ui.py

1. Start-up: process start → first painted inbox with 10,000 cached conversations, against
   a bare Textual app's first frame (target ratio ≤ 1.3).
2. Key-to-repaint: median and p95 of j/k/G/g moves and of opening threads, while a
   simulated sync keeps emitting ConversationsChanged and SyncProgress (target ≤ 16 ms).
3. Peak memory (max RSS) of the inbox process (target ≤ 150 MB).

The service is the in-memory fake from tests/ui (the SQLite-backed InboxService reads
are measured by the service's own benchmark), so these figures isolate the UI's cost.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
COUNT = 10_000
RUNS = 5


def child(kind: str) -> None:
    """Run one app headless; print seconds since the parent spawned us, and max RSS."""
    t0 = float(os.environ["BENCH_T0"])
    from textual.app import App

    timings = {"data": 0.0}

    def report(app: App[object]) -> None:
        elapsed = time.time() - t0
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{elapsed:.4f} {rss_mb:.1f} {timings['data']:.4f}", flush=True)
        app.exit()

    if kind == "bare":
        from textual.widgets import Static

        class Bare(App[None]):
            def compose(self):  # type: ignore[no-untyped-def]
                yield Static("hello")

            def on_mount(self) -> None:
                self.call_after_refresh(report, self)

        Bare().run(headless=True, size=(120, 36))
        return
    from canvas_inbox.ui.app import CanvasInboxApp
    from tests.ui.fake_service import FakeService, make_conversations

    started = time.perf_counter()
    service = FakeService(make_conversations(COUNT))
    timings["data"] = time.perf_counter() - started

    class Timed(CanvasInboxApp):
        def on_mount(self) -> None:
            self.call_after_refresh(lambda: self.call_after_refresh(report, self))

    Timed(service, start_service=False).run(headless=True, size=(120, 36))


def startup() -> None:
    figures: dict[str, list[tuple[float, float, float]]] = {"bare": [], "inbox": []}
    for _ in range(RUNS):
        for kind in figures:
            env = {**os.environ, "BENCH_T0": repr(time.time())}
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind],
                capture_output=True, text=True, env=env, check=True,
            ).stdout.split()  # fmt: skip
            figures[kind].append((float(out[0]), float(out[1]), float(out[2])))
    bare = statistics.median(t for t, _, _ in figures["bare"])
    inbox = statistics.median(t for t, _, _ in figures["inbox"])
    data = statistics.median(d for _, _, d in figures["inbox"])
    print(f"start → first frame, bare Textual app: {bare * 1000:7.1f} ms (median of {RUNS})")
    print(f"start → painted inbox, {COUNT} convs:  {inbox * 1000:7.1f} ms")
    print(f"ratio: {inbox / bare:.2f}x (target ≤ 1.3x)")
    print(
        f"  of which building the fake's {COUNT} records: {data * 1000:.1f} ms; "
        f"ratio without it: {(inbox - data) / bare:.2f}x"
    )
    peak = max(m for _, m, _ in figures["inbox"])
    print(f"peak memory (max RSS) of the inbox process: {peak:.0f} MB (target ≤ 150 MB)")


async def latency() -> None:
    """Time from a key event entering the app's queue to the next frame it writes."""
    from rich.console import RenderableType
    from textual.screen import Screen

    from canvas_inbox.service import ConversationsChanged, SyncProgress
    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.clock import frozen_clock
    from tests.ui.fake_service import NOW, FakeService, make_conversations

    painted = asyncio.Event()

    class Timed(CanvasInboxApp):
        def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                painted.set()

    service = FakeService(make_conversations(COUNT))
    app = Timed(service, clock=frozen_clock(NOW))

    async def key_to_frame(key: str) -> float:
        painted.clear()
        start = time.perf_counter()
        app.simulate_key(key)
        await asyncio.wait_for(painted.wait(), 5)
        return time.perf_counter() - start

    moves: list[float] = []
    opens: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()

        async def sync() -> None:
            done = 0
            while True:
                done += 50
                service.emit(SyncProgress("threads", done, COUNT))
                service.emit(ConversationsChanged(frozenset({1000 + done % COUNT})))
                await asyncio.sleep(0.05)

        syncing = asyncio.create_task(sync())
        for key in ["j"] * 150 + ["k"] * 50 + ["G", "g"] * 10:
            moves.append(await key_to_frame(key))
            await pilot.pause()
        for _ in range(30):
            await pilot.press("h", "j")
            await pilot.pause()
            opens.append(await key_to_frame("enter"))
            await pilot.pause()
        syncing.cancel()
    for name, values in (("move", moves), ("open thread", opens)):
        ms = sorted(v * 1000 for v in values)
        p95 = ms[int(len(ms) * 0.95) - 1]
        print(
            f"key → frame, {name:11}: median {statistics.median(ms):5.1f} ms, "
            f"p95 {p95:5.1f} ms over {len(ms)} keys, sync running (target ≤ 16 ms)"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        if "--latency-only" not in sys.argv:
            startup()
        asyncio.run(latency())
