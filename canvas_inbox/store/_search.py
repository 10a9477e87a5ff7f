"""Full-text search (FTS5): what Canvas itself does not offer.

The index holds one document per conversation (subject, everybody's names and, until its
thread is cached, Canvas's 100-character preview of the last message) and one per message
(the subject again, so "subject word + body word" finds the message, the body, and the
author's names). A forwarded message is indexed under the message that carries it, since
that is where the reader finds it.

User input never reaches MATCH as syntax: it is cut into words with the same rule the
tokenizer uses, every word is double-quoted (so AND, NEAR, ``col:``, ``*``, ``^`` and
stray quotes are just words) and, from two letters on, made a prefix (results appear as
you type); "quoted phrases" stay phrases. Snippets and highlight offsets are computed
here in Python on the final snippet string, so they are exact by construction.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from canvas_inbox.store._codec import from_micros, micros
from canvas_inbox.store.records import Conversation, Message, Person, SearchHit, Thread

# Best first: subject matches weigh most, then names, then bodies (bm25 column
# weights); among equals, the newest. FTS5 picks the best ``window`` by rank itself
# (cheaper than joining every match), then the few rows are joined and tie-broken.
_SEARCH = """
SELECT d.cid, d.mid, d.at, d.subject, d.body, d.names
FROM (
    SELECT rowid, rank FROM fts
    WHERE fts MATCH :match AND rank MATCH 'bm25(4.0, 1.0, 2.0)'
    ORDER BY rank LIMIT :window
) AS best JOIN docs d ON d.id = best.rowid
ORDER BY best.rank, d.at DESC, d.id DESC
"""

# Words found nearly everywhere ("the", or "th" on the way to "theory") match most of
# the index. bm25 cannot tell those documents apart (the words carry no information)
# yet costs ~50 ms per 40,000 to compute; such a query lists the newest first instead,
# which is what the user sees while typing on to a rarer word.
_NEWEST = """
SELECT d.cid, d.mid, d.at, d.subject, d.body, d.names FROM docs d
WHERE +d.id IN (SELECT rowid FROM fts WHERE fts MATCH :match)
ORDER BY d.at DESC, d.id DESC LIMIT :window
"""
RANK_AT_MOST = 5000
_COUNT = "SELECT count(*) FROM fts WHERE fts MATCH :match"
SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 160

# unicode61 makes tokens of letters and digits; everything else separates them.
_WORD = re.compile(r"[^\W_]+")
# Everyone in a course can write a body: escape sequences (CSI, OSC, DCS… to their
# terminator) and C0/C1/bidi controls never belong in a plain-text snippet.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, as ``unicode61 remove_diacritics 2`` sees it."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- indexing ----------------------------------------------------------------------------
# The index is kept by hand rather than by triggers on docs: FTS5 writes pending terms
# out as a new segment whenever a rowid arrives out of order, and inside a trigger at
# every statement, which made indexing 2,000 conversations take ~200 ms instead of
# ~50 ms. So rows go to fts in ascending rowid order, in batches. (The external-content
# 'delete' needs the old values: they are read from docs before docs changes.)


def _names(people: Iterable[tuple[str, str]]) -> str:
    return ", ".join(dict.fromkeys(n for pair in people for n in pair if n))


NamesMemo = dict[tuple[tuple[Person, ...], tuple[int, ...]], str]


def _conversation_doc(
    c: Conversation, has_thread: bool, names_of: NamesMemo | None = None
) -> tuple[object, ...]:
    """The names are of the people the conversation is with (``audience``): the reader
    is a participant of every conversation, and searching their own name would match
    them all. A note to oneself (no audience) keeps the reader's name.

    ``names_of``: names already made for a set of participants (a page of an inbox
    repeats the same few people in most of its rows)."""
    key = (c.participants, c.audience)
    names = names_of.get(key) if names_of is not None else None
    if names is None:
        others = set(c.audience)
        people = [p for p in c.participants if p.id in others] or c.participants
        names = one_line(_names((p.name, p.full_name) for p in people))
        if names_of is not None:
            names_of[key] = names
    preview = "" if has_thread else (c.last_message or "")
    at = micros(c.last_message_at or c.last_authored_message_at)
    # Indexed as the reader sees it: "\x1b[31msecret" must be found by "secret".
    return (-c.id, c.id, None, at, one_line(c.subject or ""), one_line(preview), names)


def _unindex(db: sqlite3.Connection, where: str, param: str) -> None:
    """Take the docs matching ``where`` (one JSON-array parameter) out of fts and docs."""
    db.execute(
        "INSERT INTO fts (fts, rowid, subject, body, names)"  # noqa: S608 - constants only
        f" SELECT 'delete', id, subject, body, names FROM docs WHERE {where} ORDER BY id",
        (param,),
    )
    db.execute(f"DELETE FROM docs WHERE {where}", (param,))  # noqa: S608


def _index(db: sqlite3.Connection, docs: list[tuple[object, ...]]) -> None:
    """Add docs (id, cid, mid, at, subject, body, names) whose ids are not in docs."""
    docs.sort(key=lambda d: d[0])  # type: ignore[arg-type, return-value]
    db.executemany(
        "INSERT INTO docs (id, cid, mid, at, subject, body, names) VALUES (?, ?, ?, ?, ?, ?, ?)",
        docs,
    )
    db.executemany(
        "INSERT INTO fts (rowid, subject, body, names) VALUES (?, ?, ?, ?)",
        [(d[0], d[4], d[5], d[6]) for d in docs],
    )


def _put_conversation_docs(db: sqlite3.Connection, docs: list[tuple[object, ...]]) -> None:
    """Write conversation documents; unchanged ones are left alone (cheap re-syncs)."""
    stored = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT id, at, subject, body, names FROM docs"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([d[0] for d in docs]),),
        )
    }
    changed = {d[0]: d for d in docs if stored.get(d[0]) != d[3:]}
    stale = [i for i in changed if i in stored]
    if stale:
        _unindex(db, "id IN (SELECT value FROM json_each(?))", json.dumps(stale))
    _index(db, list(changed.values()))


def index_conversations(db: sqlite3.Connection, conversations: Sequence[Conversation]) -> None:
    """(Re)index the conversation documents."""
    if not conversations:
        return
    # Only these rows' threads: a cache holding thousands would otherwise be read whole
    # for every listed page.
    threads = {
        cid
        for (cid,) in db.execute(
            "SELECT cid FROM threads WHERE cid IN (SELECT value FROM json_each(?))",
            (json.dumps([c.id for c in conversations]),),
        )
    }
    names_of: NamesMemo = {}
    _put_conversation_docs(
        db, [_conversation_doc(c, c.id in threads, names_of) for c in conversations]
    )


def _message_docs(thread: Thread) -> list[tuple[object, ...]]:
    c = thread.conversation
    people = {p.id: (one_line(p.name), one_line(p.full_name)) for p in c.participants}
    subject = one_line(c.subject or "")
    docs: list[tuple[object, ...]] = []

    def add(carrier: Message, message: Message) -> None:
        author = people.get(message.author_id)
        names = _names([author]) if author else ""
        body = one_line(message.body)
        docs.append((c.id, carrier.id, micros(message.created_at), subject, body, names))
        for forwarded in message.forwarded:
            add(carrier, forwarded)

    for message in thread.messages:
        add(message, message)
    return docs


def index_threads(db: sqlite3.Connection, threads: Sequence[Thread]) -> None:
    """(Re)index the messages of threads just saved, and drop their previews."""
    latest = {t.conversation.id: t for t in threads}
    if not latest:
        return
    _unindex(
        db, "cid IN (SELECT value FROM json_each(?)) AND mid IS NOT NULL", json.dumps(list(latest))
    )
    (top,) = db.execute("SELECT max(id) FROM docs").fetchone()
    next_id = max(top or 0, 0) + 1
    docs: list[tuple[object, ...]] = []
    for thread in latest.values():
        for doc in _message_docs(thread):
            docs.append((next_id, *doc))
            next_id += 1
    _index(db, docs)
    # The messages are indexed now: the preview would only duplicate them.
    _put_conversation_docs(db, [_conversation_doc(t.conversation, True) for t in latest.values()])


def remove(db: sqlite3.Connection, ids: Sequence[int]) -> None:
    if ids:
        _unindex(db, "cid IN (SELECT value FROM json_each(?))", json.dumps(list(ids)))


def rebuild(db: sqlite3.Connection) -> None:
    """Index everything the cache holds, from scratch."""
    from canvas_inbox.store._codec import decode_conversation, decode_message

    db.execute("DELETE FROM docs")
    db.execute("INSERT INTO fts (fts) VALUES ('delete-all')")
    conversations = {
        cid: decode_conversation(data)
        for cid, data in db.execute("SELECT id, data FROM conversations")
    }
    index_conversations(db, list(conversations.values()))
    threads = []
    for (cid,) in db.execute("SELECT cid FROM threads").fetchall():
        if cid in conversations:
            messages = db.execute(
                "SELECT data FROM messages WHERE cid = ? ORDER BY pos", (cid,)
            ).fetchall()
            threads.append(
                Thread(
                    conversation=conversations[cid],
                    messages=tuple(decode_message(data) for (data,) in messages),
                )
            )
    index_threads(db, threads)


# --- the query ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # folded
    prefix: bool


@dataclass(frozen=True, slots=True)
class Query:
    match: str  # a safe FTS5 MATCH expression
    terms: tuple[Term, ...]


def parse(text: str) -> Query | None:
    """User input → a MATCH expression that cannot be a syntax error, or None (no words).

    Bare words are prefixes; "a quoted phrase" is matched as a phrase (its last word a
    prefix while the closing quote has not been typed yet).
    """
    parts: list[str] = []
    terms: list[Term] = []
    for index, chunk in enumerate(text.split('"')):
        quoted = index % 2 == 1
        words = [fold(w) for w in _WORD.findall(chunk)]
        words = [w for w in words if w]
        if not words:
            continue
        if quoted:
            still_typing = index == len(text.split('"')) - 1 and len("".join(words)) > 1
            parts.append('"' + " ".join(words) + '"' + ("*" if still_typing else ""))
            terms.extend(Term(w, False) for w in words[:-1])
            terms.append(Term(words[-1], still_typing))
        else:
            # A single letter as a prefix would match nearly every message (and rank
            # them all): it waits for the second letter.
            parts.extend(f'"{w}"*' if len(w) > 1 else f'"{w}"' for w in words)
            terms.extend(Term(w, len(w) > 1) for w in words)
    if not parts:
        return None
    unique = tuple(dict.fromkeys(terms))
    return Query(" ".join(parts), unique)


def highlights(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """(start, end) of every word in ``text`` that a term matches (exact or prefix)."""
    terms = tuple(terms)
    if not terms:
        return []
    if text.isascii():
        # Lower-casing ASCII keeps every offset: one regex pass over the text.
        pattern = _ascii_pattern(terms)
        return [] if pattern is None else [m.span() for m in pattern.finditer(text.lower())]
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        for term in terms:
            if word == term.text or (term.prefix and word.startswith(term.text)):
                spans.append(match.span())
                break
    return spans


@functools.lru_cache(maxsize=32)
def _ascii_pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """Whole words of lower-cased ASCII text that the terms match, or None if no term
    can match ASCII text. Same rule as the general path: a word is [^\\W_]+."""
    prefixes = sorted((t.text for t in terms if t.prefix and t.text.isascii()), key=len)
    exact = sorted((t.text for t in terms if not t.prefix and t.text.isascii()), key=len)
    choices = []
    if prefixes:
        choices.append("(?:" + "|".join(map(re.escape, prefixes)) + ")[^\\W_]*")
    if exact:
        choices.append("(?:" + "|".join(map(re.escape, exact)) + ")(?![^\\W_])")
    if not choices:
        return None
    return re.compile("(?<![^\\W_])(?:" + "|".join(choices) + ")")


def first_match(text: str, terms: Sequence[Term]) -> int | None:
    """Offset of the first word in ``text`` that a term matches, or None."""
    terms = tuple(terms)
    if not terms:
        return None
    if text.isascii():
        pattern = _ascii_pattern(terms)
        found = None if pattern is None else pattern.search(text.lower())
        return None if found is None else found.start()
    spans = highlights(text, terms)
    return spans[0][0] if spans else None


def one_line(text: str) -> str:
    """Plain text on one line: terminal escape sequences, control and bidi characters
    removed (snippets are computed here, so their offsets are right after cleaning)."""
    if not (text.isascii() and text.isprintable()):  # the common case skips the regexes
        text = _CONTROLS.sub(" ", _SEQUENCES.sub("", text))
    return " ".join(text.split())


def snippet(
    line: str, terms: Sequence[Term], first: int | None = None
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A piece of ``line`` (already ``one_line``) around its first match (at ``first``,
    if known), and the offsets of every match in that piece."""
    if first is None:
        first = first_match(line, terms) or 0
    start = max(0, first - SNIPPET_BEFORE)
    if start > 0:
        # Begin at a word boundary, not mid-word.
        space = line.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space <= SNIPPET_BEFORE * 2 else start
    end = min(len(line), start + SNIPPET_LENGTH)
    if end < len(line):
        space = line.rfind(" ", start, end)
        if space > first:
            end = space
    piece = line[start:end]
    spans = highlights(piece, terms)  # before the ellipses: ASCII text stays ASCII
    if start > 0:
        piece = "…" + piece
        spans = [(a + 1, b + 1) for a, b in spans]
    if end < len(line):
        piece = piece + "…"
    return piece, tuple(spans)


def search(db: sqlite3.Connection, text: str, limit: int = 200) -> list[SearchHit]:
    query = parse(text)
    if query is None or limit <= 0:
        return []
    (matching,) = db.execute(_COUNT, {"match": query.match}).fetchone()
    sql = _SEARCH if matching <= RANK_AT_MOST else _NEWEST
    # Several documents can fold into one hit (a subject that matches in every message
    # of a long thread); widen the window until enough hits or no more matches.
    window = limit * 2 + 20
    while True:
        rows = db.execute(sql, {"match": query.match, "window": window}).fetchall()
        hits = _hits(rows, query, limit)
        if len(hits) >= limit or len(rows) < window:
            return hits
        window *= 4


def _hits(rows: list[tuple], query: Query, limit: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    whole_conversation: set[int] = set()
    for cid, mid, at, subject, body, names in rows:
        line = one_line(body) if mid is not None else ""
        first = first_match(line, query.terms) if mid is not None else None
        if first is not None:
            text, spans = snippet(line, query.terms, first)
            message_id: int | None = mid
        else:
            # Only the subject or names matched (or the conversation document did): one
            # hit for the conversation, not one per message.
            if cid in whole_conversation:
                continue
            whole_conversation.add(cid)
            message_id = None
            for column in (subject, names, body):
                line = one_line(column)
                first = first_match(line, query.terms)
                if first is not None:
                    text, spans = snippet(line, query.terms, first)
                    break
            else:
                text, spans = snippet(one_line(subject or body), ())
        hits.append(
            SearchHit(
                conversation_id=cid,
                message_id=message_id,
                subject=subject or None,
                snippet=text,
                highlights=spans,
                created_at=from_micros(at),
            )
        )
        if len(hits) >= limit:
            break
    return hits
