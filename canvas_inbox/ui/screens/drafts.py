"""Drafts to resume: everything the user started and left, newest first."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from canvas_inbox.service import Draft, InboxAPI, OutboxItem, ServiceError
from canvas_inbox.ui.clock import short_date, system_clock
from canvas_inbox.ui.compose.drafting import discard_question
from canvas_inbox.ui.safe_text import one_line
from canvas_inbox.ui.screens.confirm import ConfirmScreen

KIND_LABELS = {"new": "New", "reply": "Reply", "reply_all": "Reply all", "forward": "Forward"}


def draft_label(draft: Draft, now_date: str) -> Text:
    """Two lines: kind, recipients and date; then subject and the start of the body."""
    who = ", ".join(one_line(r.name) for r in draft.recipients[:3]) or "(no recipients yet)"
    if len(draft.recipients) > 3:
        who += f" +{len(draft.recipients) - 3}"
    label = Text(no_wrap=True, overflow="ellipsis", end="")
    label.append(f"{KIND_LABELS[draft.kind]:<9}", "bold")
    label.append(who)
    if now_date:
        label.append(f"  {now_date}", "dim")
    label.append("\n")
    label.append(f"{'':<9}")
    label.append(one_line(draft.subject) or "(no subject)", "bold")
    preview = one_line(draft.body)
    if preview:
        label.append(f"  {preview[:120]}", "dim")
    if draft.attachment_paths:
        count = len(draft.attachment_paths)
        label.append(f"  [{count} attachment{'s' if count > 1 else ''}]", "dim")
    return label


class DraftsScreen(ModalScreen[Draft | None]):
    """Dismisses with the draft to resume, or None."""

    DEFAULT_CSS = """
    DraftsScreen {
        align: center middle;
        background: $background 60%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="drafts-close", show=True),
        Binding("d,delete", "discard", "Discard draft", id="drafts-discard", show=True),
    ]

    def __init__(self, service: InboxAPI) -> None:
        super().__init__(classes="drafts")
        self.service = service
        self.drafts: list[Draft] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="drafts-dialog"):
            yield Label(Text("Drafts", style="bold"), classes="dialog-title", id="drafts-title")
            yield OptionList(id="drafts-list")
            yield Label(
                Text("enter resumes · d discards · esc closes", style="dim"), id="drafts-keys"
            )

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        try:
            self.drafts = self.service.drafts()
        except ServiceError as error:
            self.drafts = []
            self.notify(f"Cannot read drafts: {error}", severity="error", markup=False)
        now = getattr(self.app, "clock", system_clock)()
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            Option(draft_label(d, short_date(d.updated_at, now))) for d in self.drafts
        )
        title = f"Drafts ({len(self.drafts)})" if self.drafts else "No drafts: nothing unsent."
        self.query_one("#drafts-title", Label).update(Text(title, style="bold"))
        if self.drafts:
            options.highlighted = min(highlighted or 0, len(self.drafts) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.drafts[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)

    def action_discard(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or not self.drafts:
            return
        draft = self.drafts[index]
        try:
            # A draft whose send failed has a copy in the outbox: it goes with the draft.
            item = next((i for i in self.service.outbox() if i.draft.id == draft.id), None)
        except ServiceError:
            item = None

        def answered(yes: bool | None) -> None:
            if yes:
                self.discard(draft, item)

        question = discard_question(draft, item, from_outbox=False)
        self.app.push_screen(ConfirmScreen(question, "Discard"), answered)

    def discard(self, draft: Draft, item: OutboxItem | None) -> None:
        try:
            if item is not None:
                self.service.discard_outbox(item.id)
            self.service.delete_draft(draft.id)
        except (ServiceError, OSError) as error:
            self.notify(f"Not discarded: {one_line(str(error))}", severity="error", markup=False)
            return
        self.reload()
        if item is not None:
            update_unsent = getattr(self.app, "update_unsent", None)  # the header's count
            if callable(update_unsent):
                update_unsent()
        self.notify("Draft discarded.", timeout=2)
