"""UI benchmark over the real service: prints figures, asserts nothing. Never collected by
pytest (the name does not match test_*.py).

Run: .venv/bin/python tests/benchmarks/bench_ui.py [--runs 11] [--no-fake] [--only startup|keys]

Set-up (before anything is timed): a sandbox subprocess on 127.0.0.1 with 10,000
conversations for user 1 and ``--latency 50``; an on-disk cache for that same account
written through ``canvas_inbox.store.Store``: the 10,000 rows as the inbox listing, who
"me" is, the course, and the newest 500 threads. Every child process gets a fresh copy of
that cache, so no run sees what an earlier run synced. The sandbox serves the same 10,000
(seeding takes ~2 s) rather than a few thousand: a sync against fewer would, once its
inbox listing is complete, drop the other cached rows, and the keys would then be timed
over a shorter list; with 10,000 the thread phase also outlasts the keys. The start-up
runs point at the sandbox too (the real configuration), but the network cannot matter
there: the app starts the service (and imports httpx) only after its first paint, which
the benchmark checks.

1. Start-up: a child process runs the real path (``ui.launch.build_service`` +
   ``CanvasInboxApp``, headless at 120x36) pointed at the sandbox, and notes the first
   frame written to the terminal in which the inbox shows rows (the top 200 cached rows;
   the whole list is read a frame later, and that frame is reported too); a bare Textual
   app (one Static) stops at its first frame. Process start (the parent's clock just
   before spawning) to that frame, alternating, ``--runs`` each, medians, and their ratio
   (target ≤ 1.3x). Also whether httpx had been imported when the inbox painted. The
   package's bytecode is compiled first, as an install would have it.
2. Key-to-repaint: one child runs the same path and, once the background sync has begun
   (a SyncProgress event), presses j/k/G/g, then opens threads (j, enter) and goes back
   to the list (h) 30 times, a key every ~40 ms like a fast typist. Each key is timed
   from handing it to the app (``simulate_key``) to the first frame written after its
   action has run. Median and p95 (target ≤ 16 ms), and
   the service events received while the keys were pressed (proof the sync was running).
3. Peak memory: peak RSS (VmHWM) of that child, which painted 10,000 conversations,
   moved through them and opened threads while syncing (target ≤ 150 MB).

Profiling: BENCH_PROFILE=/tmp/keys.txt PYTHONPATH=<a dir with pyinstrument> and
``--only keys`` write a pyinstrument profile of the key phase (not a dependency).

Secondary: the same key loop over the in-memory FakeService of tests/ui (the UI's cost
alone), clearly labelled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

COUNT = 10_000
CACHED_THREADS = 500
LATENCY_MS = 50.0
SIZE = (120, 36)
THINK = 0.04  # seconds between keys
MOVES = ["j"] * 150 + ["k"] * 50 + ["G", "g"] * 10
OPENS = 30
ME, TOKEN = 1, "token-bench-me"  # bench_sync.generated_seed's user 1


# --- the cache, written as a previous run would have left it ---------------------------------
def prefill_cache(cache_dir: Path) -> None:
    """The same 10,000 conversations the sandbox serves (its ids are 1..N in seed order),
    as local records, so the sync finds a cache that mostly agrees with Canvas."""
    from canvas_inbox.store import Store
    from canvas_inbox.store.records import Context, Conversation, Message, Person, Thread

    people = 30
    me = Person(id=ME, name="P1", full_name="Person 1")
    start = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    rows: list[Conversation] = []
    threads: list[Thread] = []
    for number in range(COUNT):
        author_id = 2 + number % (people - 1)
        author = Person(id=author_id, name=f"P{author_id}", full_name=f"Person {author_id}")
        when = start + timedelta(minutes=7 * number)
        body = f"Message {number}: notes about chapter {number % 17}, please read."
        row = Conversation(
            id=number + 1,
            subject=f"Topic {number}",
            workflow_state="read" if number % 4 == 0 else "unread",
            last_message=body,
            last_message_at=when,
            message_count=1,
            participants=(author, me),
            audience=(author_id,),
            context_code="course_10",
            context_name="Bench 101",
        )
        rows.append(row)
        if number >= COUNT - CACHED_THREADS:
            message = Message(
                id=number + 1, conversation_id=number + 1, author_id=author_id,
                created_at=when, body=body, participating_user_ids=(author_id, ME),
            )  # fmt: skip
            threads.append(Thread(conversation=row, messages=(message,)))
    rows.sort(key=lambda row: row.last_message_at or start, reverse=True)
    store = Store.open(cache_dir / "cache.sqlite3")
    try:
        store.save_me(me)
        store.save_contexts([Context(code="course_10", name="Bench 101", kind="course")])
        store.upsert_conversations(rows, scope="inbox", complete=True)
        store.save_threads(threads)
        store.set_meta("unread_count", str(sum(row.unread for row in rows)))
    finally:
        store.close()


# --- children -----------------------------------------------------------------------------
def peak_rss_mb() -> float:
    """This process's own high-water RSS. Not ``ru_maxrss``: Linux carries that across
    fork+exec, so a child would report the (bigger) parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _real_app(cache_dir: Path, url: str) -> Any:
    """The app exactly as ``canvas-inbox`` builds it (launch.run_tui), minus the config file."""
    from canvas_inbox.config import Settings
    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.launch import build_service

    settings = Settings()
    service = build_service(url, TOKEN, cache_dir, settings)
    return CanvasInboxApp, service, settings


def child_startup(kind: str, cache_dir: Path, url: str) -> None:
    """Print seconds from the parent's spawn to the first frame (with rows, for the inbox;
    then also to the first frame with every cached row in the list)."""
    t0 = float(os.environ["BENCH_T0"])
    from textual.app import App

    result: dict[str, Any] = {}

    def first(rows: int) -> None:
        result.update(seconds=time.time() - t0, rss=peak_rss_mb(), rows=rows,
                      httpx="httpx" in sys.modules)  # fmt: skip

    def done(app: Any) -> None:
        result["rss_end"] = peak_rss_mb()
        print(json.dumps(result), flush=True)
        app.exit()

    if kind == "bare":
        from textual.widgets import Static

        class Bare(App[None]):
            def compose(self):  # type: ignore[no-untyped-def]
                yield Static("hello")

            def _display(self, screen: Any, renderable: Any) -> None:
                super()._display(screen, renderable)
                if renderable is not None and not result:
                    first(0)
                    done(self)

        Bare().run(headless=True, size=SIZE)
        return

    app_class, service, settings = _real_app(cache_dir, url)
    from canvas_inbox.ui.screens.inbox import InboxScreen

    class Timed(app_class):  # type: ignore[misc, valid-type]
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or not isinstance(screen, InboxScreen):
                return
            rows = len(screen.inbox.rows)
            if rows and not result:
                first(rows)
            if rows >= COUNT and "full" not in result:
                result.update(full=time.time() - t0, full_rows=rows)
                done(self)

    Timed(service, settings, base_url=url).run(headless=True, size=SIZE)


async def key_loop(app: Any, on_ready: Any = None) -> dict[str, Any]:
    """Press the keys inside ``app`` (whose class records frames and actions, see
    ``timed_class``) and return per-kind latencies in ms."""
    from canvas_inbox.ui.screens.inbox import InboxScreen

    latencies: dict[str, list[float]] = {"move": [], "open": [], "h": []}
    missed = 0
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 20
        while not (isinstance(app.screen, InboxScreen) and app.screen.inbox.rows):
            if time.monotonic() > deadline:
                raise RuntimeError("the inbox never showed rows")
            await asyncio.sleep(0.01)
        if on_ready is not None:
            await on_ready()
        screen = app.screen

        async def press(key: str) -> None:
            nonlocal missed
            app.bench_acted = False
            app.bench_painted.clear()
            start = time.perf_counter()
            app.simulate_key(key)
            try:
                await asyncio.wait_for(app.bench_painted.wait(), 5)
            except TimeoutError:
                missed += 1
                return
            ms = (time.perf_counter() - start) * 1000
            kind = "open" if key == "enter" else "h" if key == "h" else "move"
            latencies[kind].append(ms)
            await asyncio.sleep(THINK)

        profiler = _profiler()
        app.bench_phase_start = time.monotonic()
        for key in MOVES:
            await press(key)
        # j, enter, h: each h goes back to the list from an open thread. (h on the list
        # itself changes nothing, so no frame follows it: it is not a repaint to time.)
        for _ in range(OPENS):
            await press("j")
            expected = screen.inbox.current.id
            await press("enter")
            shown = screen.thread_view.thread
            if shown is None or shown.conversation.id != expected:
                missed += 1
            await press("h")
        app.bench_phase_end = time.monotonic()
        if profiler is not None:
            profiler.stop()
            app.bench_profile = profiler.output_text(show_all=False)
        await pilot.pause()
        rows = len(screen.inbox.rows)
    return {"latencies": latencies, "missed": missed, "rows_at_end": rows}


def _profiler() -> Any:
    """With BENCH_PROFILE=file (and pyinstrument importable, e.g. via PYTHONPATH; it is
    not a dependency), profile the key phase into that file."""
    if not os.environ.get("BENCH_PROFILE"):
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    return profiler


def save_profile(app: Any) -> None:
    text = getattr(app, "bench_profile", None)
    if text is not None:
        Path(os.environ["BENCH_PROFILE"]).write_text(text)


def timed_class(base: Any) -> Any:
    class Timed(base):  # type: ignore[misc, valid-type]
        """Marks the first frame written after a key's action has run."""

        bench_acted = False
        bench_painted: asyncio.Event

        async def run_action(self, *args: Any, **kwargs: Any) -> bool:
            result: bool = await super().run_action(*args, **kwargs)
            self.bench_acted = True
            return result

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None and self.bench_acted:
                self.bench_painted.set()

    return Timed


def child_keys(cache_dir: Path, url: str) -> None:
    app_class, service, settings = _real_app(cache_dir, url)
    from canvas_inbox.service import SyncProgress

    events: list[tuple[float, str, str]] = []

    def seen(event: object) -> None:
        detail = f"{event.phase} {event.done}/{event.total}" if isinstance(
            event, SyncProgress) else ""  # fmt: skip
        events.append((time.monotonic(), type(event).__name__, detail))

    service.subscribe(seen)
    app = timed_class(app_class)(service, settings, base_url=url)

    async def run() -> dict[str, Any]:
        app.bench_painted = asyncio.Event()

        async def sync_started() -> None:
            deadline = time.monotonic() + 20
            while not any(name == "SyncProgress" for _, name, _ in events):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.01)
            # The cost the UI pays per ConversationsChanged: re-reading the whole list.
            reads = []
            for _ in range(5):
                t = time.perf_counter()
                service.cached_conversations("inbox")
                reads.append((time.perf_counter() - t) * 1000)
            app.bench_reload_ms = statistics.median(reads)

        return await key_loop(app, sync_started)

    result = asyncio.run(run())
    save_profile(app)
    start, end = app.bench_phase_start, app.bench_phase_end
    during = [(name, detail) for t, name, detail in events if start <= t <= end]
    counts: dict[str, int] = {}
    for name, _ in during:
        counts[name] = counts.get(name, 0) + 1
    progress = [detail for name, detail in during if name == "SyncProgress"]
    result.update(
        rss=peak_rss_mb(),
        events=counts,
        first_progress=progress[0] if progress else None,
        last_progress=progress[-1] if progress else None,
        seconds=end - start,
        reload_ms=app.bench_reload_ms,
    )
    print(json.dumps(result), flush=True)


def child_fake_keys() -> None:
    """The same keys over tests/ui's in-memory FakeService, a simulated sync emitting."""
    from canvas_inbox.service import ConversationsChanged, SyncProgress
    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.clock import frozen_clock
    from tests.ui.fake_service import NOW, FakeService, make_conversations

    service = FakeService(make_conversations(COUNT))
    app = timed_class(CanvasInboxApp)(service, clock=frozen_clock(NOW))

    async def run() -> dict[str, Any]:
        app.bench_painted = asyncio.Event()
        task: list[asyncio.Task[None]] = []

        async def sync() -> None:
            done = 0
            while True:
                done += 50
                service.emit(SyncProgress("threads", done, COUNT))
                service.emit(ConversationsChanged(frozenset({1000 + done % COUNT})))
                await asyncio.sleep(0.05)

        async def start_sync() -> None:
            task.append(asyncio.create_task(sync()))

        try:
            return await key_loop(app, start_sync)
        finally:
            for t in task:
                t.cancel()

    result = asyncio.run(run())
    save_profile(app)
    result["rss"] = peak_rss_mb()
    print(json.dumps(result), flush=True)


# --- the parent ---------------------------------------------------------------------------
def spawn(*args: str) -> dict[str, Any]:
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def fresh_copy(pristine: Path, work: Path, name: str) -> Path:
    target = work / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(pristine, target)
    return target


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]
    return statistics.median(ordered), p95


def print_keys(label: str, result: dict[str, Any]) -> None:
    names = {"move": "move (j/k/G/g)", "open": "open thread (enter)", "h": "back to list (h)"}
    for kind, values in result["latencies"].items():
        if not values:
            continue
        median, p95 = summary(values)
        over = sum(v > 16 for v in values)
        print(
            f"  {label} key → repaint, {names[kind]:20}: median {median:5.1f} ms, "
            f"p95 {p95:5.1f} ms, max {max(values):5.1f} ms, {over}/{len(values)} over 16 ms"
        )
    if result["missed"]:
        print(f"  {label}: {result['missed']} keys without the expected frame or thread")


def main() -> None:
    from bench_sync import generated_seed, sandbox

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--no-fake", action="store_true")
    parser.add_argument("--only", choices=["startup", "keys"], help="one part (while profiling)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as folder:
        work = Path(folder)
        pristine = work / "pristine"
        pristine.mkdir()
        # An installed package has its bytecode compiled (pip does it); this checkout may
        # not (PYTHONDONTWRITEBYTECODE), and compiling every module at each start would
        # be counted against us but never against textual's own, installed, bytecode.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "canvas_inbox")],
                       check=True, env={k: v for k, v in os.environ.items()
                                        if k != "PYTHONDONTWRITEBYTECODE"})  # fmt: skip
        t = time.perf_counter()
        prefill_cache(pristine)
        size = (pristine / "cache.sqlite3").stat().st_size / 2**20
        print(f"cache: {COUNT} conversations, {CACHED_THREADS} threads, {size:.0f} MB on disk "
              f"(written in {time.perf_counter() - t:.1f} s, untimed)")  # fmt: skip
        with sandbox(generated_seed(COUNT, 0), LATENCY_MS) as url:
            print(f"sandbox: {url}, {COUNT} conversations for user {ME}, "
                  f"--latency {LATENCY_MS:.0f}")  # fmt: skip
            if options.only != "keys":
                startup(options.runs, pristine, work, url)
            if options.only == "startup":
                return
            cache = fresh_copy(pristine, work, "keys")
            keys = spawn("keys", str(cache), url)
        print_key_figures(keys)
    if not options.no_fake:
        fake = spawn("fake-keys")
        print("\nsecondary, UI alone: same keys over tests/ui's in-memory FakeService with a "
              "simulated sync (not the real service)")  # fmt: skip
        print_keys("fake", fake)
        print(f"  max RSS: {fake['rss']:.0f} MB")


def startup(count: int, pristine: Path, work: Path, url: str) -> None:
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "inbox": []}
    for _ in range(count):
        for kind in runs:
            cache = fresh_copy(pristine, work, "run")
            runs[kind].append(spawn("startup", kind, str(cache), url))
    bare = statistics.median(r["seconds"] for r in runs["bare"]) * 1000
    inbox = statistics.median(r["seconds"] for r in runs["inbox"]) * 1000
    httpx_before = sum(r["httpx"] for r in runs["inbox"])
    print(f"\n1. start-up (process start → first frame, medians of {count} alternating runs)")
    print(f"  bare Textual app, first frame:               {bare:7.1f} ms")
    print(f"  canvas-inbox, real service, inbox with rows: {inbox:7.1f} ms "
          f"(from the top {runs['inbox'][0]['rows']} cached rows)")  # fmt: skip
    print(f"  ratio: {inbox / bare:.2f}x (target ≤ 1.3x)")
    print(f"  httpx imported before the first paint: "
          f"{'yes' if httpx_before else 'no'} ({httpx_before}/{count} runs)")  # fmt: skip
    full = statistics.median(r["full"] for r in runs["inbox"]) * 1000
    print(f"  then all {runs['inbox'][0]['full_rows']} rows in the list, painted: {full:7.1f} ms")
    print(f"  peak RSS at first paint: inbox {max(r['rss'] for r in runs['inbox']):.0f} MB, "
          f"bare {max(r['rss'] for r in runs['bare']):.0f} MB")  # fmt: skip


def print_key_figures(keys: dict[str, Any]) -> None:
    print("\n2. key → repaint, real InboxService syncing from the sandbox (target ≤ 16 ms)")
    print_keys("real", keys)
    events = ", ".join(f"{n} {name}" for name, n in sorted(keys["events"].items()))
    print(f"  during the {keys['seconds']:.1f} s of keys the service sent: {events or 'nothing'}")
    print(f"  sync progress then: from '{keys['first_progress']}' to '{keys['last_progress']}'"
          f"; rows in the list at the end: {keys['rows_at_end']}")  # fmt: skip
    print(f"  one full re-read of the inbox from the cache: {keys['reload_ms']:.1f} ms")
    print("\n3. peak memory (max RSS) of the process that painted 10,000 conversations, "
          "moved through them and opened threads while syncing:")  # fmt: skip
    print(f"  {keys['rss']:.0f} MB (target ≤ 150 MB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        what = sys.argv[2]
        if what == "startup":
            child_startup(sys.argv[3], Path(sys.argv[4]), sys.argv[5])
        elif what == "keys":
            child_keys(Path(sys.argv[3]), sys.argv[4])
        else:
            child_fake_keys()
    else:
        main()
