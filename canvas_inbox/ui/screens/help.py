"""Every key, read from the same table the bindings are built from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from canvas_inbox.ui.keymap import ALL_KEYS, KeySpec, display_keys, keys_for


def composer_extras() -> list[KeySpec]:
    """Bindings the composer declares beyond the table (ui-compose owns them)."""
    try:
        from canvas_inbox.ui.compose import ComposeScreen
    except ImportError:
        return []
    known = {spec.id for spec in ALL_KEYS}
    extras = []
    for binding in ComposeScreen.BINDINGS:
        if isinstance(binding, Binding) and binding.id and binding.id not in known:
            extras.append(
                KeySpec(binding.id, binding.action, binding.description, binding.key, "Composer")
            )
    return extras


def help_table(keymap: Mapping[str, str]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column("group", style="dim", no_wrap=True)
    table.add_column("keys", style="bold", no_wrap=True)
    table.add_column("action")
    table.add_column("id", style="dim", no_wrap=True)
    group = ""
    for spec in (*ALL_KEYS, *composer_extras()):
        table.add_row(
            spec.group if spec.group != group else "",
            display_keys(keys_for(spec, keymap)),
            spec.description,
            spec.id,
        )
        group = spec.group
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", id="help-close")
    ]

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__(classes="help")
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-body"):
            yield Label(
                Text("Keys  (remap by id in the config: [settings.keys])", style="bold"),
                classes="dialog-title",
            )
            yield Static(help_table(self.keymap))

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
