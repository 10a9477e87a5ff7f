"""Store benchmark: prints figures, asserts nothing.

Run: .venv/bin/python tests/benchmarks/bench_store.py [--count 10000]

A cache of COUNT conversations (three courses and a group, 2-4 participants each) in a
file in a temporary directory, as a full sync would leave it, with every thread cached
(three messages each). Figures are medians of repeated runs where a run is short.
The UI asks ``conversations(scope, limit=100)`` on the event loop: target ~1 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from canvas_inbox.store import Store, _search  # noqa: E402
from canvas_inbox.store.records import (  # noqa: E402
    Conversation,
    Draft,
    Message,
    OutboxItem,
    Person,
    Thread,
)

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
WORDS = [
    "assignment",
    "chapter",
    "quiz",
    "lab",
    "report",
    "photosynthesis",
    "enzymes",
    "essay",
    "grade",
    "rubric",
    "due",
    "friday",
    "monday",
    "question",
    "answer",
    "group",
    "project",
    "meeting",
    "extension",
    "feedback",
    "draft",
    "reading",
    "lecture",
    "notes",
    "exam",
    "review",
    "schedule",
    "absence",
    "field",
    "trip",
    "presentation",
]
PEOPLE = [
    Person(id=i, name=f"Person{i}", full_name=f"Person{i} Surname{i % 97}") for i in range(1, 300)
]
ME = PEOPLE[0]
CONTEXTS = ["course_12", "course_14", "course_15", "group_3"]


def _vocabulary() -> tuple[list[str], list[float]]:
    """Topic words among 4,000 made-up ones, drawn Zipf-like as real text is: a few
    words are everywhere, most are rare (a 30-word vocabulary would make every query
    match every message)."""
    rng = random.Random(1)
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ra",
        "tu",
        "si",
        "vo",
        "pe",
        "da",
        "gri",
        "sten",
        "mar",
        "col",
        "ther",
        "ion",
        "ab",
        "ur",
        "en",
        "ti",
    ]
    made_up = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(5000)}
    words = sorted(made_up - set(WORDS))[:4000]
    rng.shuffle(words)  # common words should not share a prefix
    for i, word in enumerate(WORDS):
        words.insert(20 + i * 40, word)
    return words, [1 / (rank + 1) for rank in range(len(words))]


VOCABULARY, WEIGHTS = _vocabulary()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCABULARY, WEIGHTS, k=n)).capitalize() + "."


def make(count: int) -> list[Thread]:
    rng = random.Random(7)
    threads = []
    for i in range(count):
        cid = 10_000 + i
        people = (ME, *rng.sample(PEOPLE[1:], rng.randint(1, 3)))
        when = NOW - timedelta(minutes=37 * i + rng.randint(0, 30))
        messages = tuple(
            Message(
                id=cid * 10 + k,
                conversation_id=cid,
                author_id=rng.choice(people).id,
                created_at=when - timedelta(hours=3 - k),
                body=" ".join(sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(1, 4))),
            )
            for k in range(3)
        )
        state = "unread" if i % 7 == 0 else ("archived" if i % 5 == 0 else "read")
        conversation = Conversation(
            id=cid,
            subject=sentence(rng, rng.randint(2, 5)),
            workflow_state=state,  # type: ignore[arg-type]
            starred=i % 23 == 0,
            last_message=messages[-1].body[:100],
            last_message_at=when,
            last_authored_message_at=when if i % 4 == 0 else None,
            message_count=3,
            participants=people,
            audience=tuple(p.id for p in people[1:]),
            context_code="group_77" if i % 250 == 7 else CONTEXTS[i % len(CONTEXTS)],
            context_name="Course",
            last_author_is_me=i % 4 == 0,
        )
        threads.append(Thread(conversation=conversation, messages=messages))
    return threads


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ms(fn: Callable[[], object], runs: int = 50) -> float:
    fn()  # warm the page cache and statement cache
    return statistics.median(timed(fn) for _ in range(runs)) * 1000


def show(label: str, ms: float, note: str = "") -> None:
    print(f"  {label:<52} {ms:9.2f} ms  {note}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    threads = make(count)
    conversations = [t.conversation for t in threads]
    inbox = [c for c in conversations if c.workflow_state != "archived"]
    print(f"store benchmark: {count:,} conversations, {3 * count:,} messages")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.sqlite3"
        store = Store.open(path)
        t = timed(lambda: store.upsert_conversations(inbox, scope="inbox", complete=True))
        show(f"bulk upsert, empty cache ({len(inbox):,} rows, complete)", t * 1000)
        t = timed(lambda: store.upsert_conversations(conversations))
        show(f"bulk upsert, all {count:,} rows again (re-sync)", t * 1000)
        t = timed(lambda: store.save_threads(threads))
        show(f"save_threads, {count:,} threads in one transaction", t * 1000)
        one = threads[5]
        show(
            "save_thread, one thread (its own transaction)",
            median_ms(lambda: store.save_thread(one), 20),
        )

        print("  first page, limit=100 (median):")
        for scope in ("inbox", "unread", "starred", "sent", "archived"):
            show(f"  {scope}", median_ms(lambda s=scope: store.conversations(s, limit=100)))  # type: ignore[misc]
        show(
            "  inbox filtered by a course (a quarter of the rows)",
            median_ms(lambda: store.conversations("inbox", "course_14", limit=100)),
        )
        show(
            "  inbox filtered by a small group (40 rows)",
            median_ms(lambda: store.conversations("inbox", "group_77", limit=100)),
        )
        show("  inbox, every row (no limit)", median_ms(lambda: store.conversations("inbox"), 5))
        show("  count(inbox)", median_ms(lambda: store.count("inbox"), 10))
        show("thread(id) from the cache", median_ms(lambda: store.thread(one.conversation.id)))

        print("  search, limit=200 (median):")
        common = VOCABULARY[0]
        queries = (
            common,
            common[:3],
            "photosynthesis",
            "photo",
            "enzymes friday",
            '"lab report"',
            "person17",
            "zzz",
        )
        for query in queries:
            ms = median_ms(lambda q=query: store.search(q), 10)  # type: ignore[misc]
            parsed = _search.parse(query)
            matching = (
                store._db.execute(
                    "SELECT count(*) FROM fts WHERE fts MATCH ?", (parsed.match,)
                ).fetchone()[0]
                if parsed
                else 0
            )
            show(
                f"  {query!r}", ms, f"{matching:,} documents match, {len(store.search(query))} hits"
            )

        draft = Draft(id="d" * 32, body="Dear Jane,\n" + "typing " * 200)
        keys = iter(range(10**6))

        def save_draft() -> None:
            store.save_draft(msgspec.structs.replace(draft, body=draft.body + str(next(keys))))

        show("save_draft (drafts file, synchronous=FULL)", median_ms(save_draft, 30))
        item = OutboxItem(id="o1", draft=draft, created_at=NOW)
        show(
            "put_outbox (drafts file, synchronous=FULL)",
            median_ms(
                lambda: store.put_outbox(msgspec.structs.replace(item, attempts=next(keys))), 30
            ),
        )
        show(
            "set_meta (cache, synchronous=NORMAL)",
            median_ms(lambda: store.set_meta("x", str(next(keys))), 30),
        )
        store.close()

        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        reopened = Store.open(path)
        first = reopened.conversations("inbox", limit=100)
        t = time.perf_counter() - start
        show(
            "open the file + first inbox page", t * 1000, f"({len(first)} rows, file {size:.1f} MB)"
        )
        t = timed(lambda: reopened._db.execute("PRAGMA quick_check").fetchall())
        show("(PRAGMA quick_check, which open does not run)", t * 1000)
        reopened.close()


if __name__ == "__main__":
    main()
