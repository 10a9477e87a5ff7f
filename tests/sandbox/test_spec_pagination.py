"""§8 pagination: numbered pages, clamping, and the exact Link header."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox, run_sandbox
from tests.sandbox import seeds
from tests.sandbox.seeds import SAM
from tests.sandbox.spec_http import Caller

N = 12  # conversations in Sam's inbox
# The module sandbox is read-only, so reusing it across examples is safe.
FIXTURE_OK = HealthCheck.function_scoped_fixture


@pytest.fixture(scope="module")
def paged() -> Iterator[RunningSandbox]:
    """A read-only world: Sam has 12 conversations from Tina, one per day."""
    with run_sandbox(SandboxOptions(seed=seeds.school(seeds.many_to_sam(N)))) as sandbox:
        yield sandbox


@pytest.fixture
def reader(paged: RunningSandbox) -> Iterator[Caller]:
    caller = Caller(paged.api, paged.token(SAM), SAM)
    yield caller
    caller.close()


def _link(api: str, query: str, rels: list[tuple[int, str]], per_page: int) -> str:
    sep = "&" if query else ""
    return ",".join(
        f'<{api}/conversations?{query}{sep}page={page}&per_page={per_page}>; rel="{rel}"'
        for page, rel in rels
    )


def _page_len(reader: Caller, per_page: str) -> int:
    r = reader.get("conversations", {"per_page": per_page, "auto_mark_as_read": "false"})
    assert r.status_code == 200, r.text
    return len(r.json())


def test_8_default_page_size_is_10(reader: Caller) -> None:
    """§8: without per_page a page holds 10."""
    r = reader.get("conversations")
    assert r.status_code == 200
    assert len(r.json()) == 10


@pytest.mark.parametrize(("per_page", "expected"), [("0", 1), ("abc", 1), ("-3", 1), ("", 10)])
def test_8_per_page_garbage_and_zero_give_one(reader: Caller, per_page: str, expected: int) -> None:
    """§8: per_page=0 or non-numeric is clamped to 1 (an empty value means the default)."""
    assert _page_len(reader, per_page) == expected


def test_8_per_page_is_clamped_to_100(reader: Caller, paged: RunningSandbox) -> None:
    """§8: per_page=500 gives pages of 100 (and the Link header says per_page=100)."""
    r = reader.get("conversations", {"per_page": "500"})
    assert len(r.json()) == N
    assert "per_page=100>" in r.headers["Link"]
    assert "per_page=500" not in r.headers["Link"]


@settings(max_examples=30, deadline=None, suppress_health_check=[FIXTURE_OK])
@given(n=st.integers(min_value=-1000, max_value=1000))
def test_8_per_page_integer_clamp_property(reader: Caller, n: int) -> None:
    """§8 (property): integer per_page is clamped to 1..100."""
    assert _page_len(reader, str(n)) == min(max(n, 1), 100, N)


@settings(max_examples=30, deadline=None, suppress_health_check=[FIXTURE_OK])
@given(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyzXYZ_.", min_size=1, max_size=6))
def test_8_per_page_non_numeric_property(reader: Caller, text: str) -> None:
    """§8 (property): a per_page with no digits at all is parsed as 0 and clamped to 1."""
    assert _page_len(reader, text) == 1


def test_8_link_header_first_page_exact(reader: Caller, paged: RunningSandbox) -> None:
    """§8: Link order current,next,prev,first,last; commas without spaces; page then per_page
    last; other query parameters kept (here scope=unread); no prev on page 1."""
    r = reader.get("conversations", {"scope": "unread", "per_page": 3})
    assert r.status_code == 200
    assert [c["subject"] for c in r.json()] == ["Note 11", "Note 10", "Note 09"]
    assert r.headers["Link"] == _link(
        paged.api, "scope=unread", [(1, "current"), (2, "next"), (1, "first"), (4, "last")], 3
    )


def test_8_link_header_middle_page_exact(reader: Caller, paged: RunningSandbox) -> None:
    """§8: a middle page has current, next, prev, first, last in that order."""
    r = reader.get("conversations", {"page": 2, "per_page": 3})
    assert [c["subject"] for c in r.json()] == ["Note 08", "Note 07", "Note 06"]
    assert r.headers["Link"] == _link(
        paged.api, "", [(2, "current"), (3, "next"), (1, "prev"), (1, "first"), (4, "last")], 3
    )


def test_8_link_header_last_page_has_no_next(reader: Caller, paged: RunningSandbox) -> None:
    """§8: the last page has no next."""
    r = reader.get("conversations", {"page": 4, "per_page": 3})
    assert [c["subject"] for c in r.json()] == ["Note 02", "Note 01", "Note 00"]
    assert r.headers["Link"] == _link(
        paged.api, "", [(4, "current"), (3, "prev"), (1, "first"), (4, "last")], 3
    )


def test_8_link_drops_access_token(paged: RunningSandbox) -> None:
    """§8: Link URLs leave out access_token (and page/per_page are re-appended)."""
    anon = Caller(paged.api, None)
    try:
        r = anon.get(
            "conversations",
            {"access_token": paged.token(SAM), "filter": ["user_1"], "per_page": 5, "page": 1},
        )
        assert r.status_code == 200, r.text
        link = r.headers["Link"]
        assert "access_token" not in link
        assert "token-" not in link
        first = httpx.URL(link.split(";")[0].strip("<>"))
        assert str(first.copy_with(query=None)) == f"{paged.api}/conversations"
        assert list(first.params.multi_items()) == [
            ("filter[]", "user_1"),
            ("page", "1"),
            ("per_page", "5"),
        ]
    finally:
        anon.close()


def test_8_following_next_visits_everything_once(reader: Caller) -> None:
    """§8: following rel=next literally walks every conversation exactly once, in order."""
    seen: list[str] = []
    url: str | None = f"{reader.api}/conversations?per_page=5"
    while url:
        r = reader.http.get(url)
        seen += [c["subject"] for c in r.json()]
        nxt = [
            part.split(";")[0].strip("<>")
            for part in r.headers["Link"].split(",")
            if part.endswith('rel="next"')
        ]
        url = nxt[0] if nxt else None
        assert url is None or httpx.URL(url).host == "127.0.0.1"
    assert seen == [f"Note {i:02d}" for i in reversed(range(N))]


def test_8_page_past_end_is_empty_200(reader: Caller) -> None:
    """§8: a page number past the end returns [] with 200."""
    r = reader.get("conversations", {"page": 50, "per_page": 5})
    assert r.status_code == 200
    assert r.json() == []


@pytest.mark.parametrize("page", ["0", "abc"])
def test_8_zero_or_non_numeric_page_is_an_error(reader: Caller, page: str) -> None:
    """§8: a non-numeric or zero page is an error (a 4xx JSON answer, not a 500)."""
    r = reader.get("conversations", {"page": page})
    assert 400 <= r.status_code < 500, r.text
    r.json()


def test_8_batches_are_paginated_with_link(reader: Caller) -> None:
    """§4.3/§8: GET /conversations/batches is a paginated list with a Link header."""
    r = reader.get("conversations/batches", {"per_page": 2})
    assert r.status_code == 200
    assert r.json() == []
    assert 'rel="current"' in r.headers.get("Link", "")


def test_8_link_header_trimmed_by_priority(reader: Caller) -> None:
    """§8: a Link header that would exceed 6 KB is trimmed by priority (next, last, prev,
    current, first): the lowest-priority links go first, the rest keep their order."""
    junk = ["x" * 20] * 38  # filters that match nothing; user_1 (Tina) matches everything
    r = reader.get("conversations", {"filter": ["user_1", *junk], "page": 2, "per_page": 3})
    assert r.status_code == 200
    assert len(r.json()) == 3
    link = r.headers["Link"]
    parts = link.split(",<")
    rels = [p.rsplit('rel="', 1)[1].rstrip('"') for p in parts]
    one = max(len(p) for p in parts)
    assert 5 * one + 4 > 6 * 1024  # all five would not have fitted
    assert len(link) <= 6 * 1024
    priority = ["next", "last", "prev", "current", "first"]
    assert set(rels) == set(priority[: len(rels)])
    assert rels == [r for r in ["current", "next", "prev", "first", "last"] if r in rels]
    assert "next" in rels
