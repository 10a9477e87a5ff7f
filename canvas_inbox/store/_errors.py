"""What the store reports: errors worth one line, and files it had to move aside."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


class StoreError(Exception):
    """The local store cannot be used. ``str(error)`` is one line for the screen."""


class StoreVersionError(StoreError):
    """The file was written by a newer canvas-inbox whose schema this one does not know."""


@dataclass(frozen=True, slots=True)
class Recovery:
    """A damaged file that was moved aside so the app could start; nothing was deleted.

    ``what`` is "cache" (rebuilt from Canvas on the next sync) or "drafts" (the user's
    drafts and outbox: the old file is kept at ``moved_to`` for recovery by hand)."""

    what: Literal["cache", "drafts"]
    path: Path
    moved_to: Path
    reason: str

    def __str__(self) -> str:
        if self.what == "cache":
            return (
                f"The local cache was damaged ({self.reason}); "
                "it was moved aside and is being rebuilt."
            )
        return (
            f"The drafts file was damaged ({self.reason}); it was kept as {self.moved_to} "
            "and a new one started."
        )
