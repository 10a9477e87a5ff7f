"""Every key the app answers to, by binding id, with the two presets and user remaps.

Bindings are declared once here and turned into Textual ``Binding``s for the screens;
the help screen and the command palette read the same table, so nothing is bound that
the user cannot find. A user remaps by id in the config (``keys = {reply = "R"}``), over
the preset, through ``App.set_keymap``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding

from canvas_inbox.config import KeymapPreset


@dataclass(frozen=True, slots=True)
class KeySpec:
    id: str
    action: str
    description: str
    keys: str  # the default preset, Textual key names, comma-separated
    group: str
    show: bool = False  # in the footer (everything is in the help screen)
    mutt: str | None = None  # the mutt preset, when it differs


INBOX_KEYS: tuple[KeySpec, ...] = (
    KeySpec("next", "cursor_down", "Next", "j,down", "Move"),
    KeySpec("previous", "cursor_up", "Previous", "k,up", "Move"),
    KeySpec("first", "first", "First", "g,home", "Move", mutt="equals_sign,home"),
    KeySpec("last", "last", "Last", "G,end", "Move"),
    KeySpec("next-unread", "next_unread", "Next unread", "right_square_bracket", "Move"),
    KeySpec("previous-unread", "previous_unread", "Previous unread", "left_square_bracket", "Move"),
    KeySpec("open", "open", "Open", "enter,o", "Move", show=True),
    KeySpec("back", "back", "Back", "escape", "Move"),
    KeySpec("pane-left", "pane_left", "List pane", "h", "Move"),
    KeySpec("pane-right", "pane_right", "Thread pane", "l", "Move"),
    KeySpec("pane-switch", "pane_switch", "Switch pane", "tab", "Move"),
    KeySpec("scope-inbox", "scope('inbox')", "Inbox", "1", "Scope"),
    KeySpec("scope-unread", "scope('unread')", "Unread", "2", "Scope"),
    KeySpec("scope-starred", "scope('starred')", "Starred", "3", "Scope"),
    KeySpec("scope-sent", "scope('sent')", "Sent", "4", "Scope"),
    KeySpec("scope-archived", "scope('archived')", "Archived", "5", "Scope"),
    KeySpec("filter", "filter", "Course filter", "backslash", "Scope", mutt="c"),
    KeySpec("search", "search", "Search", "slash", "Scope", show=True),
    KeySpec("next-match", "next_match", "Next match", "n", "Scope"),
    KeySpec("previous-match", "previous_match", "Previous match", "N", "Scope", mutt="alt+n"),
    KeySpec("compose", "compose", "Compose", "c", "Write", mutt="m"),
    KeySpec("reply", "reply", "Reply", "r", "Write", show=True),
    KeySpec("reply-all", "reply_all", "Reply all", "a", "Write", mutt="g"),
    KeySpec("forward", "forward", "Forward", "f", "Write"),
    KeySpec("drafts", "drafts", "Drafts (resume one)", "D", "Write"),
    KeySpec("outbox", "outbox", "Outbox (unsent, retry)", "O", "Write"),
    KeySpec("star", "star", "Star", "s", "Change", show=True, mutt="F"),
    KeySpec("archive", "archive", "Archive", "e", "Change", show=True, mutt="s"),
    KeySpec("mark-unread", "mark_unread", "Mark unread", "U", "Change", mutt="N"),
    KeySpec("mark-read", "mark_read", "Mark read", "I", "Change", mutt="ctrl+r"),
    KeySpec("delete", "delete", "Delete", "d", "Change", show=True),
    KeySpec("undo", "undo", "Undo", "u", "Change"),
    KeySpec("select", "select", "Select", "x,space", "Change", mutt="t,space"),
    KeySpec("select-all", "select_all", "Select all shown", "asterisk", "Change", mutt="T"),
    KeySpec("mark-all-read", "mark_all_read", "Mark all read", "A", "Change"),
    KeySpec("refresh", "refresh", "Refresh", "f5,dollar_sign", "Change"),
    KeySpec("attachments", "attachments", "Attachments", "v", "Change"),
    KeySpec("accounts", "accounts", "Accounts: log in, switch", "P", "App"),
    KeySpec("quit", "quit", "Quit", "q", "App", show=True),
)

APP_KEYS: tuple[KeySpec, ...] = (
    KeySpec("help", "help", "Help", "question_mark,f1", "App", show=True),
    KeySpec("command-palette", "command_palette", "Commands", "ctrl+p,colon", "App"),
)

# The composer's keys (ui-compose binds them under these ids); listed here so the help
# screen and remapping know them before the composer is ever opened.
COMPOSE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("compose-send", "send", "Send (after review)", "ctrl+j", "Composer"),
    KeySpec("compose-save", "save", "Keep the draft", "ctrl+s", "Composer"),
    KeySpec("compose-editor", "editor", "Edit body in $EDITOR", "ctrl+e", "Composer"),
    KeySpec("compose-leave", "leave", "Leave (draft kept)", "escape", "Composer"),
    KeySpec("compose-pick", "pick_file", "Attach a file from a picker", "ctrl+o", "Composer"),
    # Gmail's ctrl+shift+d reaches few terminals as itself; ctrl+d deletes a character.
    KeySpec(
        "compose-discard",
        "discard",
        "Discard the draft (asks first)",
        "ctrl+delete,f8",
        "Composer",
    ),
)

ALL_KEYS: tuple[KeySpec, ...] = INBOX_KEYS + APP_KEYS + COMPOSE_KEYS


def bindings(specs: tuple[KeySpec, ...]) -> list[Binding]:
    return [
        Binding(spec.keys, spec.action, spec.description, show=spec.show, id=spec.id)
        for spec in specs
    ]


def keymap_for(preset: KeymapPreset, overrides: Mapping[str, str]) -> dict[str, str]:
    """The id → keys map for ``App.set_keymap``: the preset's differences, then the user's."""
    keymap = {spec.id: spec.mutt for spec in ALL_KEYS if preset == "mutt" and spec.mutt}
    # Ids this table does not know (a newer composer's, say) pass through to Textual.
    keymap.update(overrides)
    return keymap


def keys_for(spec: KeySpec, keymap: Mapping[str, str]) -> str:
    return keymap.get(spec.id, spec.keys)


_NAMES = {
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "backslash": "\\",
    "slash": "/",
    "asterisk": "*",
    "dollar_sign": "$",
    "question_mark": "?",
    "colon": ":",
    "equals_sign": "=",
    "escape": "esc",
}


def display_keys(keys: str) -> str:
    """ "right_square_bracket,f5" → "] / f5", for the help screen."""
    return " / ".join(_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))
