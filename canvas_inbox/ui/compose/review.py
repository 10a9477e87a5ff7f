"""The review step: what will be sent, to whom, and how, before anything leaves.

Canvas has no "unsend", and one keystroke can reach a whole course, so the composer never
sends without this page: recipients spelled out (a course target with its head count),
one conversation or one per person, the course, subject, the start of the body, the
attachments and any forwarded messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from canvas_inbox.service import Context, Draft
from canvas_inbox.ui.compose.attachments import file_size, human_size
from canvas_inbox.ui.compose.drafting import is_reply, recipient_label, several_people
from canvas_inbox.ui.safe_text import one_line

PREVIEW_LINES = 8


def summary(draft: Draft, contexts: Sequence[Context]) -> Group:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    names = [one_line(recipient_label(r, contexts)) for r in draft.recipients]
    table.add_row("To", Text("\n".join(names) or "(nobody)"))
    if draft.kind == "reply":
        table.add_row("As", Text("a reply in the conversation"))
    elif draft.kind == "reply_all":
        table.add_row("As", Text("a reply to everyone in the conversation"))
    elif several_people(draft):
        how = (
            "separate messages, one conversation per person"
            if draft.send_individually
            else "one group conversation: everyone sees the replies"
        )
        table.add_row("As", Text(how))
    context = next((c for c in contexts if c.code == draft.context_code), None)
    if context is not None:
        table.add_row("Course", Text(one_line(context.name)))
    elif draft.context_code:
        table.add_row("Course", Text(draft.context_code))
    if not is_reply(draft):
        table.add_row("Subject", Text(one_line(draft.subject) or "(no subject)"))
    if draft.kind == "forward":
        count = len(draft.included_message_ids)
        noun = "message" if count == 1 else "messages"
        table.add_row("Forwarding", Text(f"forwarding {count} {noun}"))
    for number, path in enumerate(draft.attachment_paths):
        size = file_size(path)
        # A local path, but a downloaded file's name can hold escapes or bidi overrides.
        name = one_line(path)
        shown = f"{name}  ({human_size(size)})" if size is not None else f"{name}  (missing!)"
        table.add_row("Attached" if number == 0 else "", Text(shown))
    lines = draft.body.rstrip().splitlines()
    preview = Text("\n".join(lines[:PREVIEW_LINES]))
    if len(lines) > PREVIEW_LINES:
        preview.append(f"\n… {len(lines) - PREVIEW_LINES} more lines", style="dim")
    return Group(table, Text(""), Text("Message", style="bold"), preview)


class ReviewScreen(ModalScreen[bool]):
    """Dismisses True to send, False to go back to editing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y,ctrl+j", "answer(True)", "Send", id="review-send", show=True),
        Binding("escape,n", "answer(False)", "Back to editing", id="review-back", show=True),
    ]

    def __init__(self, draft: Draft, contexts: Sequence[Context]) -> None:
        super().__init__(classes="review")
        self.draft = draft
        self.contexts = list(contexts)
        self.summary = summary(draft, self.contexts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="review-dialog"):
            yield Label(Text("Review before sending", style="bold"), classes="dialog-title")
            with VerticalScroll(id="review-body"):
                yield Static(self.summary, id="review-summary")
            with Horizontal(classes="buttons"):
                yield Button("Send (enter)", variant="primary", id="review-send")
                yield Button("Edit (esc)", id="review-back")

    def on_mount(self) -> None:
        self.query_one("#review-send", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "review-send")

    def action_answer(self, send: bool) -> None:
        self.dismiss(send)
