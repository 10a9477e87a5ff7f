"""The composer: To with suggestions, course, subject, body, attachments, review, send.

Nothing typed is lost: the draft is saved ~300 ms after each change and again on the
way out; a failed send leaves the composer open with the reason and the draft intact.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static, TextArea
from textual.widgets.option_list import Option

from canvas_inbox.config import Settings
from canvas_inbox.service import Context, Draft, InboxAPI, ServiceError
from canvas_inbox.ui.compose import drafting
from canvas_inbox.ui.compose.attachments import (
    AttachmentError,
    AttachmentList,
    PathSuggester,
    check_path,
    human_size,
)
from canvas_inbox.ui.compose.editor import EditorError, edit_text
from canvas_inbox.ui.compose.file_picker import FilePickerScreen
from canvas_inbox.ui.compose.recipients import RecipientField
from canvas_inbox.ui.compose.review import ReviewScreen
from canvas_inbox.ui.keymap import COMPOSE_KEYS, display_keys, keys_for
from canvas_inbox.ui.safe_text import one_line
from canvas_inbox.ui.screens.confirm import ConfirmScreen

SAVE_DELAY = 0.3  # seconds after the last change before the draft is written
# Bound above the fields: ctrl+e means "end of line" to an Input, "editor" here.
PRIORITY = {"compose-send", "compose-save", "compose-editor"}
NO_CONTEXT = "none"

TITLES = {
    "new": "New message",
    "reply": "Reply",
    "reply_all": "Reply all",
    "forward": "Forward",
}


# The footer's short words; the help screen shows the full descriptions.
FOOTER = {
    "compose-send": "Review & send",
    "compose-save": "Save",
    "compose-editor": "Editor",
    "compose-leave": "Leave",
}


def compose_bindings() -> list[BindingType]:
    # Everything is in help and the palette; the footer keeps to what fits in 80 columns.
    found: list[BindingType] = [
        Binding(spec.keys, spec.action, FOOTER.get(spec.id, spec.description),
                show=spec.id in FOOTER, id=spec.id, priority=spec.id in PRIORITY,
                tooltip=spec.description)
        for spec in COMPOSE_KEYS
    ]  # fmt: skip
    found.append(Binding("ctrl+t", "attach", "Attach a file", show=False, id="compose-attach"))
    return found


class ComposeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = compose_bindings()

    def __init__(
        self, service: InboxAPI, draft: Draft, settings: Settings, *, resumed: bool = False
    ) -> None:
        super().__init__(id="compose-screen")
        self.service = service
        self.settings = settings
        self.draft = draft
        self.initial = draft
        self.resumed = resumed
        self.sending = False
        self.finished = False  # sent or left: nothing more to save
        self._save_timer: Timer | None = None
        self.contexts: list[Context] = []

    # --- layout ------------------------------------------------------------------------
    def _title(self) -> Text:
        title = Text(TITLES[self.draft.kind], style="bold")
        if self.draft.kind != "new" and self.draft.subject:
            title.append("  ")
            title.append(one_line(self.draft.subject))
        return title

    def _thread_context(self) -> Text | None:
        """For a reply or forward, the message being answered, in brief: Canvas quotes
        nothing, so this is how the writer keeps the thread in view."""
        if self.draft.conversation_id is None:
            return None
        try:
            thread = self.service.cached_thread(self.draft.conversation_id)
        except ServiceError:
            return None
        if thread is None or not thread.messages:
            return None
        if self.draft.kind == "forward":
            count = len(self.draft.included_message_ids)
            noun = "message" if count == 1 else "messages"
            return Text(
                f"Forwarding {count} {noun} of this conversation: they go along whole.",
                style="dim",
            )
        me = self.service.me
        mine = me.id if me is not None else None
        message = next((m for m in reversed(thread.messages) if m.author_id != mine), None)
        message = message or thread.messages[-1]
        people = {p.id: p.name for p in thread.conversation.participants}
        author = one_line(people.get(message.author_id, "someone"))
        text = Text(f"{author} wrote: ", style="bold", no_wrap=False)
        text.append(one_line(message.body)[:300], style="dim")
        return text

    def compose(self) -> ComposeResult:
        draft = self.draft
        reply = drafting.is_reply(draft)
        try:
            self.contexts = self.service.contexts()
        except ServiceError:
            self.contexts = []
        yield Label(self._title(), id="compose-title")
        context_line = self._thread_context()
        if context_line is not None:
            yield Static(context_line, id="compose-context")
        yield RecipientField(
            self.service,
            draft.recipients,
            context_code=draft.context_code,
            contexts=self.contexts,
            id="to",
        )
        with Horizontal(classes="field", id="context-row"):
            yield Label("Course", classes="field-label")
            if reply or draft.kind == "forward":
                # The conversation's course decides; Canvas ignores another one here.
                context = next((c for c in self.contexts if c.code == draft.context_code), None)
                name = context.name if context else (draft.context_code or "none")
                yield Label(Text(one_line(name)), id="context-fixed")
            else:
                yield Select(
                    self._context_options(),
                    prompt="No course: Canvas picks",
                    value=self._context_value(),
                    id="context",
                    compact=True,
                )
            yield Checkbox(
                "Send individual messages", draft.send_individually, id="individual",
                compact=True,
            )  # fmt: skip
        with Horizontal(classes="field", id="subject-row"):
            yield Label("Subject", classes="field-label")
            if reply:
                yield Label(
                    Text(one_line(draft.subject) or "(no subject)", style="dim"),
                    id="subject-fixed",
                )
            else:
                yield Input(
                    draft.subject,
                    placeholder="subject",
                    max_length=drafting.SUBJECT_LIMIT,
                    id="subject",
                    compact=True,
                )
        yield TextArea(draft.body, id="body", soft_wrap=True, tab_behavior="focus",
                       placeholder="Write your message (ctrl+e opens your editor)")  # fmt: skip
        with Horizontal(classes="field", id="attach-row"):
            yield Label("Attach", classes="field-label")
            yield Input(
                placeholder="path to a file (→ completes), enter adds it; "
                f"{self._key('compose-pick')} browses",
                id="attach",
                compact=True,
                suggester=PathSuggester(),
            )
        with Vertical(id="attachments-box"):
            # Indented by padding, not margin: a margin here would narrow the body too.
            yield AttachmentList(id="attachments")
        yield Label("", id="compose-status")
        yield Footer()

    def _key(self, binding_id: str) -> str:
        """The key the user has for a binding (remapped or preset), as help shows it."""
        spec = next(s for s in COMPOSE_KEYS if s.id == binding_id)
        return display_keys(keys_for(spec, getattr(self.app, "key_map", {})).split(",")[0])

    def _context_options(self) -> list[tuple[Text, str]]:
        # Concluded courses are readable, not writable: Canvas would refuse the send.
        options = [(Text("No course: Canvas picks"), NO_CONTEXT)]
        options += [(Text(one_line(c.name)), c.code) for c in self.contexts if not c.concluded]
        return options

    def _context_value(self) -> str:
        codes = {code for _, code in self._context_options()}
        return self.draft.context_code if self.draft.context_code in codes else NO_CONTEXT

    def on_mount(self) -> None:
        self._show_attachments()
        self._show_individual()
        if self.draft.recipients:
            self.query_one("#body", TextArea).focus()
        else:
            self.query_one("#to-input", Input).focus()

    # --- the draft -----------------------------------------------------------------------
    def _now(self) -> datetime:
        clock = getattr(self.app, "clock", None)
        return clock() if callable(clock) else datetime.now(UTC)

    def current_draft(self) -> Draft:
        fields: dict[str, Any] = {
            "recipients": tuple(self.query_one(RecipientField).recipients),
            "body": self.query_one("#body", TextArea).text,
            "send_individually": self.query_one("#individual", Checkbox).value,
        }
        subject = self.query("#subject")
        if subject:
            fields["subject"] = subject.first(Input).value
        context = self.query("#context")
        if context:
            value = context.first(Select).value
            fields["context_code"] = (
                value if isinstance(value, str) and value != NO_CONTEXT else None
            )
        return msgspec.structs.replace(self.draft, **fields)

    def changed(self) -> None:
        """Something was typed or chosen: save after a short pause in the typing."""
        if self.finished or not self.is_mounted:
            return
        self.draft = self.current_draft()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self.save)

    def save(self) -> bool:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.is_mounted:
            self.draft = self.current_draft()
        self.draft = msgspec.structs.replace(self.draft, updated_at=self._now())
        try:
            self.service.save_draft(self.draft)
        except Exception as error:  # the cache is the user's only copy: say so, loudly
            self.status(f"Could not save the draft: {one_line(str(error))}", error=True)
            return False
        return True

    def status(self, line: str, *, error: bool = False) -> None:
        label = self.query_one("#compose-status", Label)
        label.update(
            Text(("✗ " if error else "") + one_line(line), style="bold" if error else "dim")
        )
        label.set_class(error, "-error")

    # --- events from the fields ------------------------------------------------------------
    @on(RecipientField.Changed)
    def _recipients_changed(self) -> None:
        self._show_individual()
        self.changed()

    @on(Input.Changed, "#subject")
    @on(TextArea.Changed, "#body")
    @on(Checkbox.Changed, "#individual")
    def _field_changed(self) -> None:
        self.changed()

    @on(Select.Changed, "#context")
    def _context_changed(self, event: Select.Changed) -> None:
        value = event.value
        code = value if isinstance(value, str) and value != NO_CONTEXT else None
        self.query_one(RecipientField).context_code = code
        self.changed()

    def _show_individual(self) -> None:
        box = self.query_one("#individual", Checkbox)
        draft = self.current_draft() if self.is_mounted else self.draft
        box.display = draft.kind in ("new", "forward") and drafting.several_people(draft)

    # --- attachments -------------------------------------------------------------------------
    @on(Input.Submitted, "#attach")
    def _attach_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.action_pick_file()  # enter with no path: browse for one instead
            return
        if self.add_attachment(event.value):
            event.input.value = ""

    def add_attachment(self, raw: str) -> bool:
        """Typed or picked, a file passes the same checks (exists, readable, under the
        size limit, not attached twice)."""
        try:
            path, size = check_path(raw, self.draft.attachment_paths)
        except AttachmentError as error:
            self.status(str(error), error=True)
            return False
        self.draft = msgspec.structs.replace(
            self.current_draft(), attachment_paths=(*self.draft.attachment_paths, path)
        )
        self.status(f"Attached {path} ({human_size(size)})")
        self._show_attachments()
        self.changed()
        return True

    @on(AttachmentList.Remove)
    def _attachment_removed(self, event: AttachmentList.Remove) -> None:
        event.stop()
        self.remove_attachment(event.index)

    def remove_attachment(self, index: int) -> None:
        paths = list(self.draft.attachment_paths)
        if 0 <= index < len(paths):
            removed = paths.pop(index)
            self.draft = msgspec.structs.replace(
                self.current_draft(), attachment_paths=tuple(paths)
            )
            self.status(f"Removed {removed}")
            self._show_attachments()
            self.changed()

    def _show_attachments(self) -> None:
        listing = self.query_one(AttachmentList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(
            Option(Text(f"• {one_line(path)}", no_wrap=True, overflow="ellipsis"))
            for path in self.draft.attachment_paths
        )
        self.query_one("#attachments-box").display = bool(self.draft.attachment_paths)
        if self.draft.attachment_paths:
            listing.highlighted = min(highlighted or 0, len(self.draft.attachment_paths) - 1)
            listing.border_title = "Attachments (x removes)"

    # --- actions ----------------------------------------------------------------------------
    def action_attach(self) -> None:
        self.query_one("#attach", Input).focus()

    def action_pick_file(self) -> None:
        typed = self.query_one("#attach", Input).value
        attached = self.draft.attachment_paths

        def picked(path: str | None) -> None:
            if path is not None and self.add_attachment(path):
                self.query_one("#attach", Input).value = ""

        self.app.push_screen(FilePickerScreen(attached, typed=typed), picked)

    def action_save(self) -> None:
        if self.save():
            self.notify("Draft saved.", timeout=2)

    def action_leave(self) -> None:
        """Esc: out of the composer; what was typed stays as a draft."""
        if self.sending:
            # Leaving would cancel the send halfway: wait for Canvas's answer.
            self.status("Sending… Canvas has not answered yet; wait a moment.")
            return
        self.finished = True
        draft = self.current_draft()
        if drafting.same_content(draft, self.initial) and not self.resumed:
            # Opened and closed without writing: no empty draft to clutter the list.
            with suppress(Exception):  # nothing was written: nothing to lose
                self.service.delete_draft(draft.id)
            self.notify("Nothing written: no draft kept.", timeout=2)
        elif self.save():
            self.notify("Draft kept: press D in the inbox to resume it.", timeout=4)
        else:
            self.finished = False  # saving failed: stay, so nothing typed is lost
            return
        self.dismiss(None)

    def action_discard(self) -> None:
        """Throw the draft away (after a question), and its copy in the outbox if a send
        of it failed; escape, by contrast, keeps it."""
        if self.sending:
            self.status("Sending… Canvas has not answered yet; wait a moment.")
            return
        draft = self.current_draft()
        if drafting.same_content(draft, self.initial) and not self.resumed:
            self.action_leave()  # nothing written: nothing to ask about
            return
        try:
            item = next((i for i in self.service.outbox() if i.draft.id == draft.id), None)
        except ServiceError:
            item = None
        question = drafting.discard_question(draft, item, from_outbox=False)

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard(draft.id, item.id if item is not None else None)

        self.app.push_screen(ConfirmScreen(question, "Discard"), answered)

    def _discard(self, draft_id: str, outbox_id: str | None) -> None:
        if self.sending:
            self.status("Sending… Canvas has not answered yet; wait a moment.")
            return
        if self._save_timer is not None:  # a pending save would write it back
            self._save_timer.stop()
            self._save_timer = None
        try:
            if outbox_id is not None:
                self.service.discard_outbox(outbox_id)
            self.service.delete_draft(draft_id)
        except Exception as error:  # still on disk: say so and stay, nothing is lost
            self.status(f"Could not discard the draft: {one_line(str(error))}", error=True)
            return
        self.finished = True
        if outbox_id is not None:
            update_unsent = getattr(self.app, "update_unsent", None)  # the header's count
            if callable(update_unsent):
                update_unsent()
        self.notify("Draft discarded.", timeout=3)
        self.dismiss(None)

    def on_unmount(self) -> None:
        # The app closing with the composer open (or a profile switch): keep the text.
        if not self.finished and not drafting.same_content(self.draft, self.initial):
            with suppress(Exception):  # the screen is gone: no one left to tell
                self.service.save_draft(self.draft)

    def action_editor(self) -> None:
        body = self.query_one("#body", TextArea)
        try:
            text = edit_text(self.app, body.text, self.settings.editor)
        except EditorError as error:
            self.status(str(error), error=True)
            return
        body.load_text(text.rstrip("\n"))
        self.refresh()
        self.status("Body updated from the editor.")
        self.changed()
        self.save()

    def action_send(self) -> None:
        if self.sending:
            self.status("Still sending…")
            return
        draft = self.current_draft()
        found = drafting.problems(draft)
        if found:
            self.status(" ".join(found), error=True)
            target = "#to-input" if not draft.recipients else "#body"
            self.query_one(target).focus()
            return
        self.save()

        def answered(send: bool | None) -> None:
            if send:
                self.send_draft(self.current_draft())

        self.app.push_screen(ReviewScreen(draft, self.contexts), answered)

    @work(exclusive=True, group="send", exit_on_error=False)
    async def send_draft(self, draft: Draft) -> None:
        self.sending = True
        self.status("Sending…")
        try:
            # The same draft sent again reuses its outbox item, and the service first
            # checks whether an attempt of unknown outcome reached Canvas after all.
            item = await self.service.send(draft)
        except ServiceError as error:
            self.status(f"Not sent: {error}. The draft is kept; ctrl+j tries again.", error=True)
            return
        finally:
            self.sending = False
        if item.state == "sent":
            self.finished = True
            names = ", ".join(one_line(r.name) for r in draft.recipients[:3])
            more = len(draft.recipients) - 3
            self.notify(f"Sent to {names}" + (f" and {more} more" if more > 0 else ""), timeout=4)
            if self.app.screen is self:
                self.dismiss(None)
            return
        reason = one_line(item.last_error) or "Canvas did not take it"
        if item.state == "unknown":
            self.status(
                f"Canvas did not answer ({reason}): it may have been sent. "
                "Check Sent before trying again.",
                error=True,
            )
        else:
            self.status(f"Not sent: {reason}. Kept in the outbox; ctrl+j tries again.", error=True)
