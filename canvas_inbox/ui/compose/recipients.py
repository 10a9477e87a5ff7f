"""The To field: chosen recipients as tokens, and suggestions from Canvas as you type.

Suggestions come only from ``service.search_recipients`` (Canvas's own list of whom this
user may message, people and "All students in …" targets alike): nothing typed by hand
becomes a recipient, so a student cannot address a section Canvas would refuse.
Searches wait for a pause in typing, run one at a time (a newer one cancels the older),
and a result that arrives for text no longer in the field is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from canvas_inbox.service import Context, InboxAPI, Recipient, ServiceError
from canvas_inbox.ui.compose.drafting import is_folder, recipient_name
from canvas_inbox.ui.safe_text import one_line

DEBOUNCE = 0.25  # seconds of quiet before asking Canvas
TOKEN = Style(reverse=True)
GROUP_MARK = "≡ "  # a target that stands for many people, readable without colour


def recipient_text(recipient: Recipient, contexts: Sequence[Context] = ()) -> Text:
    """A suggestion: name in bold, then what it is (a course, how many people)."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if recipient.kind == "context":
        text.append(GROUP_MARK, Style(bold=True))
    text.append(one_line(recipient_name(recipient, contexts)), Style(bold=True))
    if is_folder(recipient):
        text.append(" ›", Style(bold=True))  # opens a list, as in Canvas's own picker
    details = []
    if recipient.detail and not recipient.detail.endswith(("people", "person")):
        details.append(one_line(recipient.detail))
    if recipient.kind == "context" and recipient.user_count is not None:
        count = recipient.user_count
        details.append(f"{count} {'person' if count == 1 else 'people'}")
    if details:
        text.append("  · " + " · ".join(details), Style(dim=True))
    return text


def tokens_text(recipients: Sequence[Recipient], contexts: Sequence[Context] = ()) -> Text:
    text = Text(end="")
    for recipient in recipients:
        mark = GROUP_MARK if recipient.kind == "context" else ""
        text.append(f" {mark}{one_line(recipient_name(recipient, contexts))} ", TOKEN)
        text.append(" ")
    return text


class RecipientInput(Input):
    """The text part of the To field, with keys for the suggestion list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "suggestion(1)", "Next suggestion", show=False, id="to-next"),
        Binding("up", "suggestion(-1)", "Previous suggestion", show=False, id="to-previous"),
        # Tab takes the highlighted suggestion, as in Gmail; with none open it moves on.
        Binding("tab", "accept_suggestion", "Accept suggestion", show=False, id="to-accept"),
        # Closes the suggestions if open, else leaves like anywhere in the composer.
        Binding("escape", "close_suggestions", "Leave", show=True, id="to-close"),
    ]

    def action_delete_left(self) -> None:
        # Backspace in an empty field takes back the last recipient, as in Gmail.
        if not self.value and self.cursor_position == 0:
            field = self.query_ancestor(RecipientField)
            field.remove_last()
            return
        super().action_delete_left()

    def action_suggestion(self, step: int) -> None:
        field = self.query_ancestor(RecipientField)
        if field.move_suggestion(step):
            return
        if step > 0 and not self.value.strip():
            field.browse()  # ↓ in an empty field: what can I send to here?
            return
        raise SkipAction()

    def action_accept_suggestion(self) -> None:
        field = self.query_ancestor(RecipientField)
        if not field.is_open:
            raise SkipAction()
        field.choose(field.options.highlighted or 0)

    def action_close_suggestions(self) -> None:
        field = self.query_ancestor(RecipientField)
        if not field.close_suggestions():
            raise SkipAction()  # nothing open: escape leaves the composer


class RecipientField(Vertical):
    """Posts ``RecipientField.Changed`` whenever the chosen list changes."""

    # The typing stays in the input, so the list's cursor must stand out without the
    # focus: the focused cursor's colours and bold, not the faint "blurred" ones.
    DEFAULT_CSS = """
    RecipientField #to-suggestions > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: bold;
    }
    """

    @dataclass
    class Changed(Message):
        field: RecipientField
        recipients: tuple[Recipient, ...]

        @property
        def control(self) -> RecipientField:
            return self.field

    def __init__(
        self,
        service: InboxAPI,
        recipients: Sequence[Recipient] = (),
        *,
        context_code: str | None = None,
        contexts: Sequence[Context] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.service = service
        self.recipients: list[Recipient] = list(recipients)
        self.context_code = context_code
        self.contexts = list(contexts)
        self.folder: Recipient | None = None  # a sections/groups list being browsed
        self.suggestions: list[Recipient] = []
        self._timer: Timer | None = None
        self.searches = 0  # how many times Canvas was asked (the debounce keeps it low)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field", id="to-row"):
            yield Label("To", classes="field-label")
            with Vertical(id="to-box"):
                yield Static(tokens_text(self.recipients, self.contexts), id="to-tokens")
                yield RecipientInput(
                    placeholder="name, course or group…", id="to-input", compact=True
                )
        yield OptionList(id="to-suggestions")
        yield Label("", id="to-status", classes="field-note")

    def on_mount(self) -> None:
        self._show_tokens()
        self._show_suggestions([])

    @property
    def input(self) -> RecipientInput:
        return self.query_one(RecipientInput)

    @property
    def options(self) -> OptionList:
        return self.query_one("#to-suggestions", OptionList)

    # --- chosen recipients ---------------------------------------------------------------
    def _show_tokens(self) -> None:
        tokens = self.query_one("#to-tokens", Static)
        tokens.update(tokens_text(self.recipients, self.contexts))
        tokens.display = bool(self.recipients)

    def _changed(self) -> None:
        self._show_tokens()
        self.post_message(self.Changed(self, tuple(self.recipients)))

    def add(self, recipient: Recipient) -> None:
        if all(r.id != recipient.id for r in self.recipients):
            self.recipients.append(recipient)
            self._changed()

    def remove_last(self) -> None:
        if self.recipients:
            removed = self.recipients.pop()
            self._note(f"Removed {one_line(removed.name)}")
            self._changed()

    def set_recipients(self, recipients: Sequence[Recipient]) -> None:
        self.recipients = list(recipients)
        self._changed()

    # --- suggestions ---------------------------------------------------------------------
    def _note(self, line: str) -> None:
        note = self.query_one("#to-status", Label)
        note.update(Text(line, style="dim"))
        note.display = bool(line)  # no blank line under the field when there is nothing to say

    def _show_suggestions(self, found: Sequence[Recipient]) -> None:
        chosen = {r.id for r in self.recipients}
        self.suggestions = [r for r in found if r.id not in chosen]
        options = self.options
        options.clear_options()
        options.add_options(Option(recipient_text(r, self.contexts)) for r in self.suggestions)
        options.display = bool(self.suggestions)
        self.set_class(bool(self.suggestions), "-open")
        if self.suggestions:
            options.highlighted = 0

    @property
    def is_open(self) -> bool:
        return bool(self.suggestions)

    def close_suggestions(self) -> bool:
        if not self.suggestions:
            return False
        self.folder = None
        self._show_suggestions([])
        return True

    def move_suggestion(self, step: int) -> bool:
        if not self.suggestions:
            return False
        options = self.options
        current = options.highlighted if options.highlighted is not None else -step
        options.highlighted = (current + step) % len(self.suggestions)
        return True

    def choose(self, index: int) -> None:
        if not 0 <= index < len(self.suggestions):
            return
        chosen = self.suggestions[index]
        if is_folder(chosen):
            # "Course Sections" is not a recipient: it opens the list of sections.
            self.folder = chosen
            self.input.value = ""
            self.search("", chosen.id)
            return
        self.folder = None
        self.add(chosen)
        self.input.value = ""
        self._show_suggestions([])
        self._note("")
        self.input.focus()

    @on(Input.Changed, "#to-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        if not event.value.strip():
            if self.folder is None:  # (an open folder keeps its list)
                self.workers.cancel_group(self, "recipient-search")
                self._show_suggestions([])
                self._note("")
            return
        self._timer = self.set_timer(DEBOUNCE, self._search_now)

    def _search_now(self) -> None:
        scope = self.folder.id if self.folder is not None else self.context_code
        self.search(self.input.value.strip(), scope)

    def browse(self) -> None:
        """Everything on offer with nothing typed: the chosen course's roles, or courses."""
        self.folder = None
        self.search("", self.context_code)

    @work(exclusive=True, group="recipient-search", exit_on_error=False)
    async def search(self, text: str, context_code: str | None) -> None:
        self.searches += 1
        self._note("Searching…")
        try:
            found = await self.service.search_recipients(text, context_code)
        except ServiceError as error:
            if text == self.input.value.strip():
                self._note(f"Cannot search recipients: {one_line(str(error))}")
            return
        # The field may have moved on while Canvas answered: only the current text counts.
        if text != self.input.value.strip():
            return
        self._show_suggestions(found)
        if self.suggestions:
            where = f"In {one_line(self.folder.name)}: " if self.folder is not None else ""
            self._note(where + "↑/↓ choose, enter or tab adds, esc closes")
        elif found:
            self._note("Everyone matching is already added.")
        else:
            self._note(f"Nobody you can message matches “{one_line(text)}”.")

    @on(Input.Submitted, "#to-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.suggestions:
            self.choose(self.options.highlighted or 0)
        elif event.value.strip():
            # Enter before the pause ended: search now rather than wait.
            if self._timer is not None:
                self._timer.stop()
            self._search_now()

    @on(OptionList.OptionSelected, "#to-suggestions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)
