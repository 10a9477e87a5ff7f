"""The Textual app: owns the service connection, bridges its events, notifies new mail."""

from __future__ import annotations

import asyncio
import gc
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from canvas_inbox.config import Settings
from canvas_inbox.service import (
    ActionFailed,
    AuthExpired,
    ConnectionChanged,
    ConversationsChanged,
    Draft,
    DraftKind,
    InboxAPI,
    NewMail,
    OutboxChanged,
    SyncProgress,
    Thread,
    ThreadChanged,
    UnreadCountChanged,
)
from canvas_inbox.ui.clock import Clock, system_clock
from canvas_inbox.ui.commands import InboxCommands
from canvas_inbox.ui.keymap import APP_KEYS, bindings, keymap_for
from canvas_inbox.ui.messages import ServiceEventReceived
from canvas_inbox.ui.safe_text import one_line
from canvas_inbox.ui.screens.inbox import InboxScreen
from canvas_inbox.ui.widgets.status import HeaderBar

AUTH_EXPIRED = "token expired: press P to log in again"
ERROR_REPEAT_SECONDS = 5.0
# At most one sync progress repaint a second: a count that moves once a second reads
# as well, and each repaint is a frame a key can land just behind (the next frame then
# waits for Textual's next tick).
PROGRESS_SECONDS = 1.0


_heap_frozen = False


def _freeze_import_heap() -> None:
    """Once per process, before the first app runs: move everything allocated so far
    (Textual's and our modules, classes, functions: ~40,000 objects that live as long as
    the process) out of the cyclic collector's reach. Every full collection otherwise
    walks them again: ~10 ms each, one of which used to land in the first frame, and
    more while a sync allocates. Refcounting still frees any of them that go away."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


@dataclass(frozen=True, slots=True)
class SwitchProfile:
    """What the app returns to launch.py to be started again on another profile: the
    service is bound to one account, so a switch is a clean restart, not a mutation."""

    name: str


class CanvasInboxApp(App[SwitchProfile | None]):
    # Absolute, so subclasses (benchmarks, screenshots) defined elsewhere find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Canvas Inbox"
    BINDINGS: ClassVar[list[BindingType]] = bindings(APP_KEYS)
    COMMANDS = App.COMMANDS | {InboxCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        service: InboxAPI,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        start_service: bool = True,
        profile: str | None = None,
        base_url: str | None = None,
    ) -> None:
        _freeze_import_heap()
        super().__init__()
        self.service = service
        self.profile = profile  # the account in use, for re-login and switching
        self.base_url = base_url
        self.settings = settings or Settings()
        self.clock: Clock = clock or system_clock
        self.start_service = start_service
        # Until start() has run, the service's cache may not be open yet.
        self.service_ready = not start_service
        self.key_map = keymap_for(self.settings.keymap, self.settings.keys)
        self._unsubscribe: Callable[[], None] | None = None
        self.auth_expired = False
        self._recent_errors: dict[str, float] = {}
        self._progress_text = ""
        self._progress_shown = -PROGRESS_SECONDS
        self._progress_timer: Timer | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(
                f"Unknown theme {self.settings.theme!r}; using {self.theme}.",
                severity="warning",
                markup=False,
            )
        self.set_keymap(self.key_map)
        self._unsubscribe = self.service.subscribe(self._on_service_event)

    def after_first_paint(self) -> None:
        """The inbox calls this once its whole cached list and its keys are on screen.
        Only then: the unsent count (it imports the outbox screen and the composer) and
        the service (starting it loads the network stack, ~100 ms before its first
        await)."""
        self.update_unsent()
        if self.start_service:
            self.start_background()

    def get_default_screen(self) -> InboxScreen:
        # The inbox is the app's first screen itself, not pushed over Textual's blank
        # default one (which cost a compose, a stylesheet pass and a paint of its own
        # before the first frame).
        return InboxScreen(self.service)

    @work(exclusive=True, group="service", exit_on_error=False)
    async def start_background(self) -> None:
        from canvas_inbox.service import ServiceError

        try:
            await self.service.start()
        except ServiceError as error:
            self.show_error(str(error))
        self.service_ready = True
        self.inbox_screen_call(lambda screen: (screen.update_header(), screen.reload()))

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.start_service:
            await self.service.aclose()

    @on(Worker.StateChanged)
    def report_worker(self, event: Worker.StateChanged) -> None:
        """Workers' own failures (screens forward theirs here: the message does not bubble).
        Expected failures arrive as ServiceError and are handled where they happen;
        anything else still gets one line instead of a silent stop."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.show_error(f"Something went wrong: {type(error).__name__}: {error}"[:200])
            self.inbox_screen_call(lambda screen: screen.reload())

    def _on_service_event(self, event: Any) -> None:
        self.post_message(ServiceEventReceived(event))

    def inbox_screen_call(self, call: Callable[[InboxScreen], object]) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, InboxScreen) and screen.is_mounted:
                try:
                    call(screen)
                except NoMatches:
                    # An event that lands while the app closes finds the widgets gone.
                    closing = getattr(self, "_exit", False) or getattr(screen, "_closing", False)
                    if not closing and screen.is_attached:
                        raise

    def show_error(self, line: str, *, reason: str | None = None) -> None:
        """One line, once: a refused action arrives both as ActionFailed and as the
        caller's ServiceError, and the user should read its reason one time."""
        key = one_line(reason or line)
        now = time.monotonic()
        if now - self._recent_errors.get(key, -60.0) < ERROR_REPEAT_SECONDS:
            return
        self._recent_errors = {k: t for k, t in self._recent_errors.items() if now - t < 60}
        self._recent_errors[key] = now
        self.notify(one_line(line), severity="error", timeout=6, markup=False)

    # --- service events -------------------------------------------------------------------
    @on(ServiceEventReceived)
    def _service_event(self, message: ServiceEventReceived) -> None:
        event = message.event
        if isinstance(event, ConversationsChanged):
            self.inbox_screen_call(lambda screen: screen.apply_changes(event.ids))
            self.inbox_screen_call(lambda screen: screen.reload_thread(event.ids))
        elif isinstance(event, ThreadChanged):
            ids = frozenset({event.conversation_id})
            self.inbox_screen_call(lambda screen: screen.reload_thread(ids))
        elif isinstance(event, UnreadCountChanged):
            self._header(lambda header: setattr(header, "unread", event.count))
        elif isinstance(event, ConnectionChanged):
            self._header(lambda header: setattr(header, "online", event.online))
            self._header(lambda header: setattr(header, "reason", event.reason or ""))
        elif isinstance(event, SyncProgress):
            done = (
                ""
                if event.total is not None and event.done >= event.total
                else (
                    f"syncing {event.phase} {event.done}"
                    + (f"/{event.total}" if event.total is not None else "")
                )
            )
            self._show_progress(done)
        elif isinstance(event, ActionFailed):
            self.show_error(f"{event.description} failed: {event.reason}", reason=event.reason)
            self.inbox_screen_call(lambda screen: screen.reload())
        elif isinstance(event, AuthExpired):
            first = not self.auth_expired
            self.auth_expired = True
            self._header(lambda header: setattr(header, "reason", AUTH_EXPIRED))
            self.show_error(AUTH_EXPIRED)
            if first:
                self.offer_login(event.reason)
        elif isinstance(event, NewMail):
            self.announce(event)
        elif isinstance(event, OutboxChanged):
            self.outbox_changed(event)

    def _show_progress(self, text: str) -> None:
        """A sync reports every few threads: the header shows the first report at once,
        then at most one a second (each is a repaint a key would wait behind)."""
        self._progress_text = text
        if text == "" or time.monotonic() - self._progress_shown >= PROGRESS_SECONDS:
            if self._progress_timer is not None:
                self._progress_timer.stop()
            self._flush_progress()
        elif self._progress_timer is None:
            wait = PROGRESS_SECONDS - (time.monotonic() - self._progress_shown)
            self._progress_timer = self.set_timer(wait, self._flush_progress)

    def _flush_progress(self) -> None:
        self._progress_timer = None
        self._progress_shown = time.monotonic()
        text = self._progress_text
        self._header(lambda header: setattr(header, "progress", text))

    def _header(self, change: Callable[[HeaderBar], object]) -> None:
        self.inbox_screen_call(lambda screen: change(screen.query_one(HeaderBar)))

    def announce(self, event: NewMail) -> None:
        if not event.conversations:
            return
        newest = event.conversations[0]
        sender = one_line(newest.participants[0].name) if newest.participants else "someone"
        subject = one_line(newest.subject) or "(no subject)"
        if self.settings.notify:
            more = len(event.conversations) - 1
            line = f"{sender}: {subject}" + (f"  (+{more} more)" if more else "")
            self.notify(line, title="New mail", timeout=6, markup=False)
        if self.settings.bell:
            self.bell()
        if self.settings.new_mail_command:
            self.run_new_mail_command(self.settings.new_mail_command, sender, subject)

    @work(group="new-mail-command", exit_on_error=False)
    async def run_new_mail_command(self, command: str, sender: str, subject: str) -> None:
        """The user's command, split like a shell would but never run by one: the sender
        and subject reach it only as environment variables."""
        env = {**os.environ, "CANVAS_INBOX_SENDER": sender, "CANVAS_INBOX_SUBJECT": subject}
        try:
            process = await asyncio.create_subprocess_exec(
                *shlex.split(command),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await process.wait()
        except (OSError, ValueError) as error:
            self.show_error(f"new_mail_command failed: {error}")

    # --- actions ----------------------------------------------------------------------------
    def action_help(self) -> None:
        from canvas_inbox.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_map))

    def open_composer(self, kind: DraftKind, thread: Thread | None = None) -> None:
        """The composer, imported only when first needed (the inbox paints without it)."""
        from canvas_inbox.ui.compose import ComposeScreen, drafting

        me = self.service.me
        if kind in ("reply", "reply_all"):
            # Canvas would refuse the send: say why now, not after the user wrote it.
            refusal = drafting.reply_refusal(thread, self.service.contexts())
            if refusal is not None:
                self.show_error(refusal)
                return
        if kind == "new" or thread is None:
            draft = drafting.new_draft()
        elif kind == "forward":
            draft = drafting.forward_draft(thread, [m.id for m in thread.messages])
        else:
            draft = drafting.reply_draft(thread, me, kind == "reply_all")
        self.push_screen(ComposeScreen(self.service, draft, self.settings))

    def resume_draft(self, draft: Draft) -> None:
        from canvas_inbox.ui.compose import ComposeScreen

        self.push_screen(ComposeScreen(self.service, draft, self.settings, resumed=True))

    # --- the outbox -----------------------------------------------------------------------
    def update_unsent(self) -> None:
        from canvas_inbox.ui.screens.outbox import unsent

        try:
            count = unsent(self.service.outbox())
        except Exception:
            if self.service_ready:
                raise
            count = 0  # the cache opens in start(): nothing to count yet
        self._header(lambda header: setattr(header, "unsent", count))

    def outbox_changed(self, event: OutboxChanged) -> None:
        from canvas_inbox.ui.screens.outbox import OutboxScreen

        self.update_unsent()
        for screen in self.screen_stack:
            if isinstance(screen, OutboxScreen):
                screen.reload()
        item = event.item
        composing = getattr(self.screen, "draft", None)
        if composing is not None and getattr(composing, "id", None) == item.draft.id:
            return  # the composer on screen reports its own send, in its status line
        if item.state in ("failed", "unknown") and item.attempts > 0:
            subject = one_line(item.draft.subject) or "(no subject)"
            reason = one_line(item.last_error) or item.state
            self.show_error(f"Not sent: “{subject}”: {reason}. O opens the outbox.")

    # --- accounts ---------------------------------------------------------------------------
    def offer_login(self, reason: str) -> None:
        from canvas_inbox.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.log_in(url=self.base_url or "", profile=self.profile)

        question = f"Canvas no longer accepts your token ({one_line(reason)}). Log in again?"
        self.push_screen(ConfirmScreen(question, "Log in"), answered)

    def log_in(self, *, url: str = "", profile: str | None = None) -> None:
        from canvas_inbox.ui.screens.login import LoginScreen

        def logged_in(name: str | None) -> None:
            if name is not None:
                # A new token or account means a new service: launch.py starts it.
                self.exit(SwitchProfile(name))

        self.push_screen(LoginScreen(url=url, profile=profile), logged_in)

    def open_accounts(self) -> None:
        from canvas_inbox.ui.screens.login import ADD, AccountsScreen

        def chosen(name: str | None) -> None:
            if name is None:
                return
            if name == ADD:
                self.log_in()
            elif name == self.profile and not self.auth_expired:
                self.notify(f"Already using {name}.", timeout=2, markup=False)
            elif name == self.profile:
                self.log_in(url=self.base_url or "", profile=name)
            else:
                self.exit(SwitchProfile(name))

        self.push_screen(AccountsScreen(self.profile), chosen)
