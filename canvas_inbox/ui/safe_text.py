"""The one gate every piece of server text passes before it reaches the screen.

Canvas sends names, subjects, bodies and file names that anyone in a course can write.
A terminal obeys escape sequences (OSC 52 writes the clipboard, OSC 8 makes links that
lie, CSI moves the cursor), bidi overrides reorder what the eye reads, and Rich markup
would turn "[link=…]" into a real link. So text is cleaned here and returned as a
``rich.text.Text`` that no widget will ever parse as markup.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# Whole escape sequences first, so their parameters do not survive as visible junk:
# CSI (ESC [ or 0x9B) ... final byte; OSC/DCS/SOS/PM/APC (ESC ] P X ^ _ or 0x90/0x9D/...)
# ... terminated by BEL or ST (ESC \ or 0x9C), or left unterminated to the end.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
# C0 and C1 controls except \t and \n, DEL, and the bidi controls that reorder text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def clean(raw: str | None) -> str:
    """Server text with escape sequences and control/bidi characters removed.
    \\r\\n and lone \\r become \\n, so a body keeps its line breaks."""
    if not raw:
        return ""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


def one_line(raw: str | None) -> str:
    """Cleaned text folded to one line: for names, subjects and previews in a row."""
    return _SPACES.sub(" ", clean(raw)).strip()


def safe_text(raw: str | None, style: str | Style = "", *, single_line: bool = False) -> Text:
    """A ``Text`` holding the cleaned string verbatim: brackets stay brackets."""
    return Text(one_line(raw) if single_line else clean(raw), style=style)


def safe_line(raw: str | None, style: str | Style = "") -> Text:
    return safe_text(raw, style, single_line=True)
