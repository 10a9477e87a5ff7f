"""Local full-text search: what a user typing into "/" gets back."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_inbox.store import Store
from canvas_inbox.store._search import fold, parse
from canvas_inbox.store.records import SearchHit, Thread
from tests.store.factories import FRIEND, ME, TEACHER, conv, message, rich_thread


def marked(hit: SearchHit) -> list[str]:
    return [hit.snippet[s:e] for s, e in hit.highlights]


@pytest.fixture
def school(store: Store) -> Store:
    store.upsert_conversations(
        [
            conv(1, 1, subject="Photosynthesis quiz", last_message="bring pencils"),
            conv(2, 2, subject="Field trip", participants=(FRIEND, ME)),
            conv(3, 3, subject="Grades", last_message="Your photosynthesis essay was graded"),
        ]
    )
    long_body = ("Filler words before the point. " * 8) + (
        "The lab report on photosynthesis is due Friday." + " More filler after." * 10
    )
    store.save_thread(
        Thread(
            conversation=conv(2, 2, subject="Field trip", participants=(FRIEND, ME)),
            messages=(
                message(20, 2, "Meet at the bus at 8:00", author=FRIEND, hours_ago=5),
                message(21, 2, long_body, author=ME, hours_ago=2),
            ),
        )
    )
    return store


def test_finds_words_in_subjects_bodies_and_previews(school: Store) -> None:
    hits = school.search("photosynthesis")
    assert {(h.conversation_id, h.message_id) for h in hits} == {(1, None), (2, 21), (3, None)}
    # A subject match ranks above a mention deep in a body.
    assert hits[0].conversation_id == 1
    assert hits[0].snippet == "Photosynthesis quiz"
    assert marked(hits[0]) == ["Photosynthesis"]


def test_prefix_matches_as_you_type(school: Store) -> None:
    for typed in ("ph", "photo", "PHOTOSYN"):
        assert {h.conversation_id for h in school.search(typed)} >= {1, 2, 3}, typed
    # One letter would match nearly everything: it waits for the second.
    assert school.search("p") == []
    assert [marked(h) for h in school.search("photosyn") if h.message_id == 21] == [
        ["photosynthesis"]
    ]


def test_every_word_must_match(school: Store) -> None:
    hits = school.search("photosynthesis friday")
    assert [(h.conversation_id, h.message_id) for h in hits] == [(2, 21)]
    assert sorted(marked(hits[0])) == ["Friday", "photosynthesis"]


def test_quoted_phrase_matches_words_in_order(school: Store) -> None:
    assert [h.message_id for h in school.search('"lab report"')] == [21]
    assert school.search('"report lab"') == []
    # Still typing the closing quote: the last word is a prefix.
    assert [h.message_id for h in school.search('"lab rep')] == [21]


def test_snippet_is_one_line_around_the_match(school: Store) -> None:
    (hit,) = [h for h in school.search("friday") if h.message_id == 21]
    assert "\n" not in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet) <= 170
    assert marked(hit) == ["Friday"]
    assert hit.subject == "Field trip"


def test_names_find_people_and_their_messages(school: Store) -> None:
    hits = school.search("alex")
    assert {h.conversation_id for h in hits} == {2}
    assert all(marked(h) for h in hits)
    assert all(fold(m).startswith("alex") for h in hits for m in marked(h))


def test_the_readers_own_name_does_not_match_every_conversation(school: Store) -> None:
    # Sam is a participant of all three; only the thread where Sam wrote is about Sam.
    assert {h.conversation_id for h in school.search("sam")} == {2}
    # The people a conversation is with still find it, by short or full name.
    assert {h.conversation_id for h in school.search("jane teacher")} == {1, 3}


def test_a_note_to_oneself_keeps_the_readers_name(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, subject="Reminders", participants=(ME,))])
    assert [h.conversation_id for h in store.search("sam")] == [1]


def test_accents_and_case_do_not_matter(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, subject="Café Élan meeting")])
    (hit,) = store.search("cafe elan")
    assert marked(hit) == ["Café", "Élan"]


def test_newer_first_among_equal_matches(store: Store) -> None:
    store.upsert_conversations([conv(i, i, subject="Quiz") for i in (3, 1, 2)])
    assert [h.conversation_id for h in store.search("quiz")] == [1, 2, 3]


def test_subject_only_matches_give_one_hit_per_conversation(store: Store) -> None:
    store.save_thread(
        Thread(
            conversation=conv(1, 1, subject="Homework"),
            messages=tuple(message(10 + i, 1, f"message {i}") for i in range(5)),
        )
    )
    assert [(h.conversation_id, h.message_id) for h in store.search("homework")] == [(1, None)]
    assert [h.message_id for h in store.search("homework message 3")] == [13]


def test_forwarded_text_is_found_under_the_message_that_carries_it(store: Store) -> None:
    store.save_thread(rich_thread(40))
    (hit,) = store.search("enzymes question")
    assert (hit.conversation_id, hit.message_id) == (40, 401)
    assert sorted(marked(hit)) == ["enzymes", "question"]


def test_updates_and_removals_reach_the_index(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, subject="Old title")])
    store.upsert_conversations([conv(1, 1, subject="New title")])
    assert store.search("old") == []
    assert [h.conversation_id for h in store.search("new")] == [1]
    store.remove_conversations([1])
    assert store.search("title") == []


def test_cached_thread_replaces_the_preview(store: Store) -> None:
    store.upsert_conversations([conv(1, 1, last_message="see the rubric")])
    assert [h.message_id for h in store.search("rubric")] == [None]
    store.save_thread(
        Thread(
            conversation=conv(1, 1, last_message="see the rubric"),
            messages=(message(5, 1, "please see the rubric", author=TEACHER),),
        )
    )
    assert [h.message_id for h in store.search("rubric")] == [5]


def test_a_relisted_row_with_a_cached_thread_gets_no_preview_and_one_without_does(
    store: Store,
) -> None:
    store.save_thread(
        Thread(conversation=conv(1, 1), messages=(message(5, 1, "hello", author=TEACHER),))
    )
    store.upsert_conversations(
        [conv(1, 1, last_message="zebra notes"), conv(2, 2, last_message="zebra plans")]
    )
    assert [(h.conversation_id, h.message_id) for h in store.search("zebra")] == [(2, None)]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "subject:quiz",
        "*",
        "^start",
        "a*b",
        "(((",
        "'",
        "-",
        "col:",
        "\x00",
        "   ",
        "",
        "🎉",
        "name\"with'quotes",
        "a AND OR b",
        "+-~",
    ],
)
def test_syntax_like_input_never_raises(school: Store, query: str) -> None:
    school.search(query)


def test_words_found_nearly_everywhere_list_newest_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from canvas_inbox.store import _search

    monkeypatch.setattr(_search, "RANK_AT_MOST", 3)
    subjects = {
        1: "the memo",
        2: "the plan for the meeting agenda and notes",
        3: "the memo",
        4: "the memo",
        5: "plan plan plan the",
        6: "the memo",
    }
    store.upsert_conversations([conv(i, i, subject=text) for i, text in subjects.items()])
    assert [h.conversation_id for h in store.search("the")] == [1, 2, 3, 4, 5, 6]
    # A rarer word is ranked: the subject that is mostly "plan" first, though older.
    assert [h.conversation_id for h in store.search("plan")] == [5, 2]


def test_snippets_are_plain_text_without_escapes_or_bidi_controls(store: Store) -> None:
    body = "Hi\x1b]52;c;ZXZpbA==\x07 the \x1b[31msecret\x1b[0m plan\u202e reversed\x00 end"
    store.save_thread(Thread(conversation=conv(1, 1, subject="x"), messages=(message(5, 1, body),)))
    (hit,) = store.search("secret")
    assert hit.snippet == "Hi the secret plan reversed end"
    assert marked(hit) == ["secret"]


def test_limit(store: Store) -> None:
    store.upsert_conversations([conv(i, i, subject="Same") for i in range(1, 30)])
    assert len(store.search("same", limit=5)) == 5
    assert store.search("same", limit=0) == []


def test_parse_quotes_every_word() -> None:
    query = parse('say "hi there" NEAR x*')
    assert query is not None
    assert query.match == '"say"* "hi there" "near"* "x"'


_alphabet = st.sampled_from(
    list(string.printable)
    + list('"*^:()-+~')
    + ["é", "É", "ß", "ﬁ", "İ", "ǅ", "\u0301", "🎉", "中", "文", "\u202e", "\x00"]
)
_queries = st.one_of(st.text(), st.text(alphabet=_alphabet))
_bodies = st.lists(st.text(alphabet=_alphabet, min_size=1), min_size=1, max_size=4)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=_queries)
def test_any_query_is_safe_and_highlights_fall_on_matching_words(school: Store, query: str) -> None:
    terms = parse(query)
    for hit in school.search(query):
        assert isinstance(hit.snippet, str)
        assert "\n" not in hit.snippet
        assert not any(ch in hit.snippet for ch in "\x1b\x00\u202e")
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet)
            word = fold(hit.snippet[start:end])
            assert terms is not None
            assert any(
                word == t.text or (t.prefix and word.startswith(t.text)) for t in terms.terms
            )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies=_bodies, query=_queries)
def test_any_text_and_query_never_raise(store: Store, bodies: list[str], query: str) -> None:
    store.save_thread(
        Thread(
            conversation=conv(1, 1, subject=bodies[0]),
            messages=tuple(message(i, 1, b) for i, b in enumerate(bodies)),
        )
    )
    _index_matches_content(store)
    words = [w for b in bodies for w in b.split()]
    for q in (query, *words[:3]):
        for hit in store.search(q):
            for start, end in hit.highlights:
                assert 0 <= start < end <= len(hit.snippet)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    word=st.text(alphabet=string.ascii_letters + "éü", min_size=1, max_size=12),
    cut=st.integers(min_value=2, max_value=12),
)
def test_typing_any_prefix_of_a_word_finds_it(store: Store, word: str, cut: int) -> None:
    store.upsert_conversations([conv(1, 1, subject=f"about {word} today")])
    (hit,) = [h for h in store.search(word[:cut]) if h.conversation_id == 1]
    assert word in marked(hit)


def _index_matches_content(store: Store) -> None:
    # FTS5's own check, rank 1: the index holds exactly the documents' words.
    store._db.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)")


def test_the_index_stays_exact_through_changes(store: Store) -> None:
    rows = [conv(i, i, subject=f"topic{i} common") for i in range(1, 40)]
    store.upsert_conversations(rows, scope="inbox", complete=True)
    store.upsert_conversations(rows[::-1])  # unchanged, in the other order
    store.upsert_conversations([conv(i, i, subject=f"renamed{i}") for i in range(1, 40, 3)])
    for cid in (2, 5, 9):
        messages = tuple(message(cid * 100 + k, cid, f"note {k} for {cid}") for k in range(3))
        store.save_thread(Thread(conversation=conv(cid, cid), messages=messages))
        store.save_thread(Thread(conversation=conv(cid, cid), messages=messages[:2]))
    store.save_threads([rich_thread(90), rich_thread(91)])
    store.remove_conversations([5, 7, 90])
    _index_matches_content(store)
    assert [h.message_id for h in store.search("note 2 for 9")] == []  # dropped on re-save
    assert [h.message_id for h in store.search("note 1 for 9")] == [901]
    assert store.search("note 1 for 5") == []
    assert {h.conversation_id for h in store.search("renamed")} == set(range(1, 40, 3)) - {7}
    assert {h.conversation_id for h in store.search("enzymes")} == {91}
