"""ctrl+e: write the body in the user's own editor, as mutt and git do.

The app gives the terminal to the editor (``App.suspend``), the body goes through a
private temporary file, and the file is removed whatever happens, so no copy of the
message is left behind in /tmp.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorError(Exception):
    """The editor could not be run; ``str()`` is one line for the user."""


def editor_command(configured: str | None) -> list[str]:
    """settings.editor, then $VISUAL, then $EDITOR, then vi; split as a shell would
    ("code --wait" is two words) but never run by one."""
    for candidate in (configured, os.environ.get("VISUAL"), os.environ.get("EDITOR")):
        if candidate and candidate.strip():
            try:
                words = shlex.split(candidate)
            except ValueError as error:
                raise EditorError(
                    f"Cannot read the editor setting {candidate!r}: {error}"
                ) from None
            if words:
                return words
    return ["vi"]


def _suspended(app: App[object]) -> AbstractContextManager[None]:
    return app.suspend()


# Tests replace this to run the editor without a real terminal to hand over.
suspend: Callable[[App[object]], AbstractContextManager[None]] = _suspended


@contextmanager
def _temp_file(text: str) -> Iterator[Path]:
    # mkstemp makes the file readable by its owner only.
    fd, name = tempfile.mkstemp(prefix="canvas-inbox-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path
    finally:
        path.unlink(missing_ok=True)


def edit_text(app: App[object], text: str, configured: str | None) -> str:
    """Run the editor on ``text``; returns what the user saved. Raises EditorError."""
    command = editor_command(configured)
    with _temp_file(text) as path:
        try:
            with suspend(app):
                # The user's own editor on a file we made: no shell, no Canvas text in argv.
                result = subprocess.run([*command, str(path)], check=False)  # noqa: S603
        except SuspendNotSupported:
            raise EditorError("This terminal cannot hand over to an editor here.") from None
        except FileNotFoundError:
            raise EditorError(
                f"Editor not found: {command[0]} (set editor in the config)"
            ) from None
        except OSError as error:
            raise EditorError(f"Could not run {command[0]}: {error.strerror}") from None
        if result.returncode != 0:
            raise EditorError(
                f"{command[0]} exited with status {result.returncode}; body unchanged."
            )
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise EditorError(f"Could not read the edited text back: {error}") from None
