"""The outbox: messages that did not go, each with its reason, to retry or edit.

A send that timed out is "unknown", not "failed": Canvas may have it. The list says so,
because retrying blindly could post the message twice to a whole course.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from canvas_inbox.service import InboxAPI, OutboxItem, ServiceError
from canvas_inbox.ui.safe_text import one_line
from canvas_inbox.ui.screens.confirm import ConfirmScreen

# Words first: the state must read without colour.
STATE_LABELS = {
    "queued": "… waiting",
    "sending": "… sending",
    "failed": "✗ failed",
    "unknown": "? unknown",
    "sent": "✓ sent",
}
UNSENT = ("failed", "unknown")


def unsent(items: list[OutboxItem]) -> int:
    return sum(1 for item in items if item.state in UNSENT)


def item_label(item: OutboxItem) -> Text:
    draft = item.draft
    who = ", ".join(one_line(r.name) for r in draft.recipients[:3]) or "(no recipients)"
    label = Text(no_wrap=True, overflow="ellipsis", end="")
    label.append(f"{STATE_LABELS.get(item.state, item.state):<10}", "bold")
    label.append(one_line(draft.subject) or "(no subject)", "bold")
    label.append(f"  to {who}")
    label.append("\n")
    label.append(f"{'':<10}")
    tries = f"{item.attempts} attempt{'s' if item.attempts != 1 else ''}"
    reason = one_line(item.last_error) or "not sent yet"
    if item.state == "unknown":
        reason += " (Canvas may have it: check Sent before retrying)"
    label.append(f"{reason} · {tries}", "dim" if item.state not in UNSENT else "")
    return label


class OutboxScreen(ModalScreen[OutboxItem | None]):
    """Dismisses with an item to edit in the composer, or None."""

    DEFAULT_CSS = """
    OutboxScreen {
        align: center middle;
        background: $background 60%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="outbox-close", show=True),
        Binding("r", "retry", "Retry", id="outbox-retry", show=True),
        Binding("e,enter", "edit", "Edit", id="outbox-edit", show=True),
        Binding("d,delete", "discard", "Discard", id="outbox-discard", show=True),
    ]

    def __init__(self, service: InboxAPI) -> None:
        super().__init__(classes="outbox")
        self.service = service
        self.items: list[OutboxItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="outbox-dialog"):
            yield Label(Text("Outbox", style="bold"), classes="dialog-title", id="outbox-title")
            yield OptionList(id="outbox-list")
            yield Label("", id="outbox-status")
            yield Label(
                Text("r retries · e edits · d discards · esc closes", style="dim"), id="outbox-keys"
            )

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        try:
            self.items = self.service.outbox()
        except ServiceError as error:
            self.items = []
            self.status(f"Cannot read the outbox: {error}")
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(Option(item_label(item)) for item in self.items)
        title = (
            f"Outbox: {unsent(self.items)} not sent" if self.items else "Outbox: empty, all sent."
        )
        self.query_one("#outbox-title", Label).update(Text(title, style="bold"))
        if self.items:
            options.highlighted = min(highlighted or 0, len(self.items) - 1)

    def status(self, line: str) -> None:
        self.query_one("#outbox-status", Label).update(Text(one_line(line)))

    def _current(self) -> OutboxItem | None:
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and self.items else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        item = self._current()
        if item is not None:
            self.dismiss(item)

    def action_retry(self) -> None:
        item = self._current()
        if item is not None:
            self.retry(item)

    def action_discard(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.state not in UNSENT:
            self.status("It is being sent: wait for Canvas's answer before discarding it.")
            return
        # Here, not at the top: the app imports this module to count unsent messages,
        # and the compose package would come along (~28 ms) before anyone asks to discard.
        from canvas_inbox.ui.compose.drafting import discard_question

        question = discard_question(item.draft, item, from_outbox=True)

        def answered(yes: bool | None) -> None:
            if yes:
                self.discard(item)

        self.app.push_screen(ConfirmScreen(question, "Discard"), answered)

    def discard(self, item: OutboxItem) -> None:
        try:
            self.service.discard_outbox(item.id)
        except ServiceError as error:
            self.status(f"Not discarded: {error}")
            return
        subject = one_line(item.draft.subject) or "(no subject)"
        self.status(f"Discarded “{subject}”.")
        self.reload()
        update_unsent = getattr(self.app, "update_unsent", None)
        if callable(update_unsent):
            update_unsent()  # the header's count: a discard is not an outbox event

    @work(exclusive=True, group="outbox-retry", exit_on_error=False)
    async def retry(self, item: OutboxItem) -> None:
        self.status("Sending…")
        try:
            result = await self.service.retry(item.id)
        except ServiceError as error:
            self.status(f"Not sent: {error}")
        else:
            if result.state == "sent":
                self.status("Sent.")
            else:
                self.status(f"Not sent: {one_line(result.last_error) or result.state}")
        self.reload()
