"""Property tests: the Link parser and the error-body reader never crash, and what they
return is sane, whatever a server (or something pretending to be one) sends."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from canvas_inbox.canvas import CanvasError, Throttled, parse_link_header
from canvas_inbox.canvas._errors import error_for_status, field_errors
from canvas_inbox.canvas._paging import numbered_pages, same_origin

TOKEN = "tok-7f3a9c"
url_chars = st.text(
    alphabet=st.characters(blacklist_characters="<>,", blacklist_categories=("Cs",)), max_size=40
)
rels = st.sampled_from(["current", "next", "prev", "first", "last", "next last"])


@settings(deadline=None)  # two shared cores: timing says nothing here
@given(st.text())
def test_link_parser_never_crashes_on_any_text(header: str) -> None:
    links = parse_link_header(header)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in links.items())


@settings(deadline=None)  # two shared cores: timing says nothing here
@given(
    st.lists(st.tuples(url_chars, rels, st.booleans()), max_size=6), st.sampled_from([",", ", "])
)
def test_link_parser_reads_what_canvas_writes(
    entries: list[tuple[str, str, bool]], separator: str
) -> None:
    header = separator.join(
        f'<{url}>; rel="{rel}"' if quoted else f"<{url}>; rel={rel.split()[0]}"
        for url, rel, quoted in entries
    )
    links = parse_link_header(header)
    expected: dict[str, str] = {}
    for url, rel, quoted in entries:
        for name in rel.split() if quoted else rel.split()[:1]:
            expected.setdefault(name, url.strip())
    assert links == expected


@settings(deadline=None)  # two shared cores: timing says nothing here
@given(st.dictionaries(st.sampled_from(["next", "last", "prev"]), st.text(max_size=60)))
def test_numbered_pages_never_crash_and_stay_on_the_next_url(links: dict[str, str]) -> None:
    pages = numbered_pages(links)
    if pages is not None:
        # Only the page number changes: every URL stays where Canvas's "next" pointed.
        assert pages
        assert all(urlsplit(page).netloc == urlsplit(links["next"]).netloc for page in pages)


@settings(deadline=None)  # two shared cores: timing says nothing here
@given(st.text(max_size=80))
def test_same_origin_is_false_for_anything_not_the_profile(url: str) -> None:
    if same_origin(url, "https://school.example.edu"):
        assert url.lower().startswith("https://school.example.edu")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.just(f"bad token {TOKEN}\n\x1b[2J"),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["errors", "message", "attribute", "status", "type", "x"])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(deadline=None)  # two shared cores: timing says nothing here
@given(json_values)
def test_field_errors_never_crash(body: Any) -> None:
    errors = field_errors(body)
    assert errors is None or all(isinstance(str(e), str) for e in errors)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 502, 503]),
    st.sampled_from(["application/json", "text/plain", "text/html", ""]),
    json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=200),
)
def test_every_error_answer_becomes_one_clean_line(
    status: int, content_type: str, content: bytes
) -> None:
    error = error_for_status(
        status, content_type, content, method="GET", path="/api/v1/x", secret=TOKEN
    )
    assert isinstance(error, CanvasError)
    text = str(error)
    assert text
    assert "\n" not in text
    assert "\r" not in text
    assert len(text) <= 300
    assert TOKEN not in text
    assert TOKEN not in repr(error)
    if isinstance(error, Throttled):
        assert status in (403, 429)


_WIRE: list[Any] = []


def _wire() -> Any:
    # One Wire for every example: making an httpx client (SSL context) takes ~50 ms.
    if not _WIRE:
        from canvas_inbox.canvas._http import Wire
        from canvas_inbox.canvas._throttle import RetryPolicy

        _WIRE.append(
            Wire(
                "https://school.example.edu",
                TOKEN,
                transport=None,
                timeout=1,
                max_concurrency=1,
                policy=RetryPolicy(),
            )
        )
    return _WIRE[0]


@settings(max_examples=200, deadline=None)
@given(json_values.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=200))
def test_any_answer_decodes_to_a_record_or_unexpected_response(content: bytes) -> None:
    from canvas_inbox.canvas import Conversation, UnexpectedResponse

    outcome: Any
    try:
        outcome = _wire().decode_bytes(content, list[Conversation])
    except UnexpectedResponse as error:
        outcome = error
    if isinstance(outcome, UnexpectedResponse):
        assert "\n" not in str(outcome)
    else:
        assert all(isinstance(c, Conversation) for c in outcome)
