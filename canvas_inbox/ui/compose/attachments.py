"""Attachments by path: checked when added (it exists, is a readable file, not too big),
so a send never fails on a typo found only after the review."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import OptionList

# Canvas's default user quota is 50 MB and conversation attachments count against it.
MAX_BYTES = 50 * 1024 * 1024


class AttachmentError(Exception):
    """Why a path cannot be attached, as one line."""


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return "1 byte" if size == 1 else f"{size} bytes"
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def check_path(raw: str, already: tuple[str, ...] = ()) -> tuple[str, int]:
    """The absolute path and size of a file the user may attach; raises AttachmentError."""
    text = raw.strip()
    if not text:
        raise AttachmentError("Type the path of a file to attach.")
    path = Path(os.path.expandvars(text)).expanduser()
    try:
        path = path.resolve()
        stat = path.stat()
    except FileNotFoundError:
        raise AttachmentError(f"No such file: {text}") from None
    except OSError as error:
        raise AttachmentError(f"Cannot read {text}: {error.strerror}") from None
    if path.is_dir():
        raise AttachmentError(f"{text} is a folder: attach the files in it one by one.")
    if not path.is_file():
        raise AttachmentError(f"{text} is not a regular file.")
    if not os.access(path, os.R_OK):
        raise AttachmentError(f"{text} is not readable (permission denied).")
    if stat.st_size > MAX_BYTES:
        raise AttachmentError(
            f"{path.name} is {human_size(stat.st_size)}: over the {human_size(MAX_BYTES)} limit."
        )
    if str(path) in already:
        raise AttachmentError(f"{path.name} is already attached.")
    return str(path), stat.st_size


def file_size(path: str) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def _complete(text: str) -> str | None:
    """The first entry of the typed folder that starts with the typed name."""
    expanded = os.path.expanduser(text)
    folder, partial = os.path.split(expanded)
    try:
        names = sorted(os.listdir(folder or "."))
    except OSError:
        return None
    for name in names:
        if name.startswith(partial) and name != partial and not name.startswith("."):
            full = os.path.join(folder, name)
            completed = full + (os.sep if os.path.isdir(full) else "")
            # Show it as the user wrote it: "~/Doc" completes to "~/Documents/".
            if text.startswith("~") and expanded != text:
                home = os.path.expanduser("~")
                completed = "~" + completed[len(home) :]
            return completed
    return None


class PathSuggester(Suggester):
    """Completes file paths in the attachment field (→ accepts), as a shell would."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        # Listing a folder is disk I/O: off the event loop.
        return await asyncio.to_thread(_complete, value)


class AttachmentList(OptionList):
    """The files attached so far; x (or delete) takes the highlighted one off."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace,x", "remove", "Remove attachment", id="compose-detach"),
    ]

    @dataclass
    class Remove(Message):
        index: int

    def action_remove(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Remove(self.highlighted))
