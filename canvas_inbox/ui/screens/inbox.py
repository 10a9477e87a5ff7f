"""The main screen: scope bar, conversation list and thread view, and every action on them.

Reads come from the service's cache on the event loop (instant); everything that may
touch the network runs in a worker. Actions change the row at once, and the service's
``ConversationsChanged``/``ActionFailed`` events settle it (or revert it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker

from canvas_inbox.service import (
    Context,
    Conversation,
    InboxAPI,
    Scope,
    SearchHit,
    ServiceError,
    Thread,
)
from canvas_inbox.ui.keymap import INBOX_KEYS, bindings
from canvas_inbox.ui.safe_text import safe_line
from canvas_inbox.ui.screens.inbox_writing import WritingActions
from canvas_inbox.ui.screens.picker import PickerScreen
from canvas_inbox.ui.widgets.inbox_list import InboxList
from canvas_inbox.ui.widgets.status import SCOPE_LABELS, HeaderBar, KeyFooter, ScopeBar
from canvas_inbox.ui.widgets.thread_view import ThreadView

if TYPE_CHECKING:
    from textual.widgets import ProgressBar

    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.screens.search import SearchResult

# Dialogs, the search screen and the progress bar are imported where first used: the
# first frame (the cached inbox) needs none of them.

# Actions that need an open thread, and those that need a row: hidden from the palette
# and dimmed in the footer when they would do nothing.
NARROW = 100  # columns below which one pane shows at a time
FIRST_PAINT_ROWS = 200  # more than the tallest terminal shows
SMALL_CHANGE = 8  # changed rows looked up one by one before re-reading the whole list
NEEDS_THREAD = {"reply", "reply_all", "forward", "attachments"}
NEEDS_ROW = {"star", "archive", "mark_unread", "mark_read", "delete", "select", "open"}


def _place(row: Conversation, scope: Scope) -> tuple[object, ...]:
    """Everything that decides whether a row is in the scope or filter, and where."""
    return (
        row.workflow_state == "archived",
        row.unread if scope == "unread" else None,
        row.starred,
        row.sort_time,
        row.last_authored_message_at,
        row.last_author_is_me,
        row.context_code,
    )


class InboxScreen(WritingActions, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings(INBOX_KEYS)
    # Textual repaints the whole screen when focus moves; the two widgets involved
    # repaint themselves (focus, blur and their :focus styles), and a full repaint made
    # switching panes or opening a thread cost more than a frame.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, service: InboxAPI) -> None:
        super().__init__(id="inbox-screen")
        self.service = service
        self.scope: Scope = "inbox"
        self.context: Context | None = None
        self.search_result: SearchResult | None = None
        self._as_read: dict[int, Conversation] = {}  # the list as last read from the cache

    @property
    def inbox_app(self) -> CanvasInboxApp:
        from canvas_inbox.ui.app import CanvasInboxApp

        assert isinstance(self.app, CanvasInboxApp)
        return self.app

    # --- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        clock = self.inbox_app.clock
        yield HeaderBar(id="header")
        yield ScopeBar(id="scopes")
        with Horizontal(id="panes"):
            yield InboxList(clock=clock, id="inbox-list")
            yield ThreadView(clock=clock, id="thread-view")

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    @property
    def thread_view(self) -> ThreadView:
        return self.query_one(ThreadView)

    def on_mount(self) -> None:
        # The first frame needs only the rows on screen: reading all of a 10,000-row
        # cache costs ~50 ms, so the rest is read a frame later.
        self.reload(limit=FIRST_PAINT_ROWS)
        self.inbox.focus()
        # The unsent count waits (see CanvasInboxApp.after_first_paint): counting it
        # imports the outbox screen and the composer, which no frame here needs.
        self.update_header(unsent=False)
        # The footer builds a widget per key: it costs as much as the inbox itself, so
        # the conversations paint first and the keys arrive a frame later.
        self.call_after_refresh(self._after_first_paint)

    async def _after_first_paint(self) -> None:
        if not self.is_attached:
            return  # the app closed on its first frame
        self.reload()
        await self.mount(KeyFooter())
        self.refresh_bindings()  # a footer only draws keys once told they changed
        self.call_after_refresh(self.inbox_app.after_first_paint)

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(narrow and self.thread_view.has_focus, "-reading")

    # Keys move the focus with set_focus, not widget.focus(): that one repaints the
    # widget and defers the move by a trip through the app's queue, where the sync's
    # callbacks can run first; a key's frame then waited behind them.

    def _reading(self, reading: bool) -> None:
        # Only narrow layouts show one pane at a time, and a class change restyles the
        # whole screen: wide layouts never pay for it.
        if self.has_class("-narrow") and self.has_class("-reading") != reading:
            self.set_class(reading, "-reading")

    # --- reading the cache --------------------------------------------------------------
    def reload(self, keep: int | None = None, *, limit: int | None = None) -> None:
        """Re-read the current list from the cache (sync, instant); ``limit``: only the
        top rows (the first paint)."""
        me = self.service.me
        self.inbox.me = me
        self.thread_view.me = me
        empty = f"No conversations in {SCOPE_LABELS[self.scope]}."
        try:
            rows = self.service.cached_conversations(
                self.scope, self.context.code if self.context else None, limit
            )
        except Exception:
            # A service may open its cache only in start(), which runs after the first
            # paint; until then there is simply nothing to show yet.
            if self.inbox_app.service_ready:
                raise
            rows, empty = [], "Opening the local cache…"
        self._as_read = {row.id: row for row in rows}
        self.inbox.set_rows(rows, keep=keep)
        self.inbox.empty_text = empty
        bar = self.query_one(ScopeBar)
        bar.scope = self.scope
        bar.context_name = self.context.name if self.context else ""
        bar.selection = len(self.inbox.selected)

    def apply_changes(self, ids: frozenset[int]) -> None:
        """ConversationsChanged. A few rows whose place in the list cannot have moved
        change in place (opening a thread announces its row): re-reading a 10,000-row
        list costs ~50 ms, a frame and a half of keys. Anything else re-reads."""
        if not ids or len(ids) > SMALL_CHANGE:
            self.reload()
            return
        fresh: list[Conversation] = []
        for conversation_id in ids:
            # Compared with the row as the cache last listed it, not as shown: an
            # optimistic change on screen may already be the one that moves it.
            old = self._as_read.get(conversation_id)
            thread = self.service.cached_thread(conversation_id) if old else None
            if (
                old is None
                or thread is None
                or _place(thread.conversation, self.scope) != _place(old, self.scope)
            ):
                self.reload()
                return
            fresh.append(thread.conversation)
        self._as_read.update((row.id, row) for row in fresh)
        self.inbox.replace_rows(fresh)

    def update_header(self, *, unsent: bool = True) -> None:
        header = self.query_one(HeaderBar)
        me = self.service.me
        header.user = me.name if me else ""
        header.unread = self.service.unread_count
        header.online = self.service.online
        if unsent:
            self.inbox_app.update_unsent()

    def reload_thread(self, ids: frozenset[int] = frozenset()) -> None:
        shown = self.thread_view.thread
        if shown is None or (ids and shown.conversation.id not in ids):
            return
        fresh = self.service.cached_thread(shown.conversation.id)
        if fresh is not None:
            self.thread_view.show(fresh, keep_scroll=True)

    # --- network ------------------------------------------------------------------------
    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_list(self) -> None:
        try:
            await self.service.refresh(self.scope, self.context.code if self.context else None)
        except ServiceError as error:
            self.inbox_app.show_error(str(error))
        else:
            self.reload()

    @work(exclusive=True, group="open", exit_on_error=False)
    async def fetch_thread(self, conversation_id: int, mark_read: bool) -> None:
        try:
            thread = await self.service.open_thread(conversation_id, mark_read=mark_read)
        except ServiceError as error:
            if self.thread_view.thread is None:
                self.inbox_app.show_error(str(error))
            return
        # A newer open wins: only show this one if it is still the one asked for.
        shown = self.thread_view.thread
        if shown is None or shown.conversation.id == conversation_id:
            self.thread_view.show(thread, keep_scroll=True)

    def open_conversation(self, conversation: Conversation, *, focus_thread: bool = True) -> None:
        cached = self.service.cached_thread(conversation.id)
        self.thread_view.show(cached or Thread(conversation=conversation, messages=()))
        self._reading(True)
        if focus_thread:
            self.set_focus(self.thread_view)
        mark_read = not self.inbox_app.settings.peek
        if mark_read and conversation.unread:
            self.inbox.update_rows([conversation.id], workflow_state="read")
        # The cached copy is on screen already; the request (and the store read and
        # request building before its first await) waits until that frame is out.
        self.call_after_refresh(self.fetch_thread, conversation.id, mark_read)

    def perform(
        self,
        description: str,
        ids: Sequence[int],
        call: Callable[[], Awaitable[Any]],
        **optimistic: object,
    ) -> None:
        """Change the rows at once, then ask the service; a refusal re-reads the cache."""
        if not ids:
            return
        if optimistic:
            self.inbox.update_rows(ids, **optimistic)
        self._run_action(description, len(ids), call)

    async def _progress_bar(self) -> ProgressBar:
        from textual.widgets import Footer, ProgressBar

        # Made on first use: nobody needs it for the first paint.
        found = self.query("#batch-progress")
        if found:
            return found.first(ProgressBar)
        bar = ProgressBar(id="batch-progress", show_eta=False)
        await self.mount(bar, before=self.query_one(Footer) if self.query(Footer) else None)
        return bar

    @work(group="actions", exit_on_error=False)
    async def _run_action(
        self, description: str, count: int, call: Callable[[], Awaitable[Any]]
    ) -> None:
        progress = await self._progress_bar()
        if count > 1:
            progress.update(total=None)
            progress.add_class("-busy")
        try:
            result = await call()
        except ServiceError as error:
            self.inbox_app.show_error(f"{description} failed: {error}", reason=str(error))
            self.reload()
        else:
            if isinstance(result, str):
                self.notify(f"Undone: {result}", timeout=3, markup=False)
        finally:
            progress.remove_class("-busy")
            self.inbox.clear_selection()
            self.query_one(ScopeBar).selection = 0

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        self.inbox_app.report_worker(event)

    # --- events from the list -----------------------------------------------------------
    @on(InboxList.Opened)
    def _opened(self, event: InboxList.Opened) -> None:
        self.open_conversation(event.conversation)

    # --- actions: moving ------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        if self.thread_view.has_focus:
            self.thread_view.scroll_down(animate=False)
        else:
            self.inbox.move_to(self.inbox.cursor + 1)

    def action_cursor_up(self) -> None:
        if self.thread_view.has_focus:
            self.thread_view.scroll_up(animate=False)
        else:
            self.inbox.move_to(self.inbox.cursor - 1)

    def action_first(self) -> None:
        if self.thread_view.has_focus:
            self.thread_view.scroll_home(animate=False)
        else:
            self.inbox.move_to(0)

    def action_last(self) -> None:
        if self.thread_view.has_focus:
            self.thread_view.scroll_end(animate=False)
        else:
            self.inbox.move_to(len(self.inbox.rows) - 1)

    def action_next_unread(self) -> None:
        if not self.inbox.next_unread(+1):
            self.notify("No more unread conversations below.", timeout=2)

    def action_previous_unread(self) -> None:
        if not self.inbox.next_unread(-1):
            self.notify("No unread conversations above.", timeout=2)

    def action_open(self) -> None:
        if self.inbox.current is not None:
            self.open_conversation(self.inbox.current)

    def action_back(self) -> None:
        if self.thread_view.has_focus:
            self._reading(False)
            self.set_focus(self.inbox)
        elif self.inbox.clear_selection():
            self.query_one(ScopeBar).selection = 0

    def action_pane_left(self) -> None:
        self._reading(False)
        self.set_focus(self.inbox)

    def action_pane_right(self) -> None:
        if self.thread_view.thread is None and self.inbox.current is not None:
            self.open_conversation(self.inbox.current)
        else:
            self._reading(True)
            self.set_focus(self.thread_view)

    def action_pane_switch(self) -> None:
        if self.thread_view.has_focus:
            self.action_pane_left()
        else:
            self.action_pane_right()

    def action_scope(self, scope: Scope) -> None:
        self.scope = scope
        self.inbox.clear_selection()
        self.reload()
        self.inbox.move_to(0)
        self.refresh_list()

    def action_filter(self) -> None:
        contexts = self.service.contexts()
        choices: list[tuple[Text, Context | None]] = [(Text("All courses and groups"), None)]
        for context in contexts:
            label = safe_line(context.name)
            if context.concluded:
                label.append("  (concluded)", "dim")
            choices.append((label, context))
        current = next(
            (i for i, (_, c) in enumerate(choices) if c is not None and c == self.context), 0
        )

        def chosen(context: Context | None) -> None:
            # Escape also answers None; "All" is choice 0, told apart by the flag below.
            if picker.cancelled:
                return
            self.context = context
            self.reload()
            self.inbox.move_to(0)
            self.refresh_list()

        picker = FilterPicker("Show conversations from", choices, current)
        self.app.push_screen(picker, chosen)

    def action_search(self) -> None:
        query = self.search_result.query if self.search_result else ""
        from canvas_inbox.ui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.service.search, query), self._searched)

    def _searched(self, result: SearchResult | None) -> None:
        if result is None or not result.hits:
            return
        self.search_result = result
        self._show_hit(result.hits[result.index])

    def _show_hit(self, hit: SearchHit) -> None:
        if not self.inbox.move_to_id(hit.conversation_id):
            # Not in this list (another scope or course): show everything so it can be found.
            self.scope, self.context = "inbox", None
            self.reload(keep=hit.conversation_id)
            if not self.inbox.move_to_id(hit.conversation_id):
                self.scope = "archived"
                self.reload(keep=hit.conversation_id)
        thread = self.service.cached_thread(hit.conversation_id)
        if thread is not None:
            self.open_conversation(thread.conversation)

    def _step_match(self, step: int) -> None:
        result = self.search_result
        if result is None:
            self.notify("No search yet: press / to search.", timeout=2)
            return
        index = (result.index + step) % len(result.hits)
        from canvas_inbox.ui.screens.search import SearchResult

        self.search_result = SearchResult(result.query, result.hits, index)
        self._show_hit(result.hits[index])
        self.notify(f"Match {index + 1} of {len(result.hits)}", timeout=1.5)

    def action_next_match(self) -> None:
        self._step_match(+1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    # --- actions: changing ----------------------------------------------------------------
    def action_star(self) -> None:
        ids = self.inbox.target_ids()
        rows = [row for row in self.inbox.rows if row.id in ids]
        starred = not all(row.starred for row in rows)
        self.perform(
            "Star" if starred else "Unstar",
            ids,
            lambda: self.service.set_starred(ids, starred),
            starred=starred,
        )

    def action_archive(self) -> None:
        ids = self.inbox.target_ids()
        archive = self.scope != "archived"
        self.perform(
            "Archive" if archive else "Unarchive",
            ids,
            lambda: self.service.set_archived(ids, archive),
            workflow_state="archived" if archive else "read",
        )

    def action_mark_unread(self) -> None:
        ids = self.inbox.target_ids()
        self.perform(
            "Mark unread",
            ids,
            lambda: self.service.set_read(ids, False),
            workflow_state="unread",
        )

    def action_mark_read(self) -> None:
        ids = self.inbox.target_ids()
        self.perform(
            "Mark read", ids, lambda: self.service.set_read(ids, True), workflow_state="read"
        )

    def action_delete(self) -> None:
        ids = self.inbox.target_ids()
        if not ids:
            return
        self.inbox.set_rows([row for row in self.inbox.rows if row.id not in ids])
        shown = self.thread_view.thread
        if shown is not None and shown.conversation.id in ids:
            self.thread_view.show(None)
            self.action_pane_left()
        noun = "conversation" if len(ids) == 1 else f"{len(ids)} conversations"
        self.notify(f"Deleted {noun}. Press u to undo.", timeout=6)
        self.perform("Delete", ids, lambda: self.service.delete(ids))

    def action_undo(self) -> None:
        self._run_action("Undo", 1, self.service.undo)

    def action_select(self) -> None:
        self.inbox.toggle_selected()
        self.inbox.move_to(self.inbox.cursor + 1)
        self.query_one(ScopeBar).selection = len(self.inbox.selected)

    def action_select_all(self) -> None:
        self.inbox.select_all()
        self.query_one(ScopeBar).selection = len(self.inbox.selected)

    def action_mark_all_read(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                ids = [row.id for row in self.inbox.rows if row.unread]
                self.inbox.update_rows(ids, workflow_state="read")
                self._run_action("Mark all read", 2, self.service.mark_all_read)

        from canvas_inbox.ui.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen("Mark every conversation as read?"), answered)

    def action_refresh(self) -> None:
        self.notify("Refreshing…", timeout=1.5)
        self.refresh_list()

    def action_attachments(self) -> None:
        choices = self.thread_view.openables()
        if not choices:
            self.notify("No attachments in this conversation.", timeout=2)
            return

        def chosen(url: str | None) -> None:
            # Only web links: a server could send file: or custom-scheme URLs.
            if url and url.lower().startswith(("https://", "http://")):
                # The browser downloads with the user's Canvas session: the token stays here.
                self.app.open_url(url)

        self.app.push_screen(PickerScreen[str]("Open an attachment", choices), chosen)

    def action_quit(self) -> None:
        if self.thread_view.has_focus:
            self.action_back()
        else:
            self.app.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_THREAD and self.thread_view.thread is None:
            return None
        if action in NEEDS_ROW and self.inbox.current is None:
            return None
        return True


class FilterPicker(PickerScreen[Context | None]):
    """Tells "All" (None) from escape, which a plain picker cannot."""

    cancelled = False

    def action_cancel(self) -> None:
        self.cancelled = True
        self.dismiss(None)
