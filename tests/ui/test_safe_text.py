"""Server text reaches the screen inert: no escapes, no bidi tricks, no markup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from canvas_inbox.ui.safe_text import clean, one_line, safe_line, safe_text

FORBIDDEN = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | {
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def render(text: object) -> str:
    console = Console(width=200, color_system=None, force_terminal=False, record=True)
    console.print(text)
    return console.export_text()


@given(st.text())
def test_no_control_or_bidi_character_survives(raw: str) -> None:
    assert not set(clean(raw)) & FORBIDDEN


@given(st.text())
def test_one_line_has_no_line_breaks(raw: str) -> None:
    assert "\n" not in one_line(raw)
    assert "\t" not in one_line(raw)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs"))))
def test_ordinary_text_is_untouched(raw: str) -> None:
    assert clean(raw) == raw


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs"))))
def test_markup_is_never_parsed(raw: str) -> None:
    assert safe_text(raw).plain == clean(raw)
    assert not safe_text(raw).spans


def test_hostile_sequences_are_removed_whole() -> None:
    raw = (
        "a\x1b[31mred\x1b[0m b\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
        " c\x1b]52;c;aGVsbG8=\x07d \x9b2Je\u202eevil\u202c\x1bPq#0\x1b\\f"
    )
    assert clean(raw) == "ared blink cd eevilf"


def test_rich_markup_shows_as_typed() -> None:
    raw = "[bold red]alarm[/] [link=https://evil.example]click[/link] [@click=app.quit]x[/]"
    assert render(safe_line(raw)).strip() == raw


def test_line_breaks_kept_in_bodies_but_folded_in_rows() -> None:
    assert clean("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree\tfour"
    assert one_line("  one\n two\t three ") == "one two three"
    assert clean(None) == ""
    assert one_line(None) == ""
