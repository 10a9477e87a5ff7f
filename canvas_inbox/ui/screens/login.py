"""Logging in: the Canvas address, an access token, checked with Canvas before it is kept.

The token goes from the password field to ``accounts.login`` (which asks Canvas who it
belongs to and stores it in the keyring) and nowhere else: not the screen, not a message,
not the config. The check runs in a thread worker, because storing in the keyring and
writing the config are blocking calls that must not freeze the screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from canvas_inbox import accounts
from canvas_inbox.config import Profile
from canvas_inbox.ui.safe_text import one_line
from canvas_inbox.ui.screens.picker import PickerScreen

LoginCall = Callable[[str, str, str | None], Awaitable[tuple[str, Profile]]]
ADD = "\x00add"  # the "add an account" choice in the accounts picker (no profile has it)


async def _real_login(url: str, token: str, profile: str | None) -> tuple[str, Profile]:
    return await accounts.login(url, token, profile)


class LoginScreen(Screen[str | None]):
    """Dismisses with the profile name once Canvas accepted the token, or None."""

    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login-dialog {
        width: 76; max-width: 100%; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    LoginScreen Input { margin-bottom: 0; }
    LoginScreen .login-label { margin-top: 1; text-style: bold; }
    LoginScreen .login-note { color: $text-muted; height: auto; width: 100%; }
    LoginScreen #login-status { height: auto; width: 100%; margin-top: 1; }
    LoginScreen #login-status.-error { color: $error; text-style: bold; }
    LoginScreen #login-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    LoginScreen Button { margin-left: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="login-cancel", show=True),
    ]

    def __init__(
        self, *, url: str = "", profile: str | None = None, login: LoginCall | None = None
    ) -> None:
        super().__init__(id="login-screen")
        self.initial_url = url
        self.profile = profile
        self._login: LoginCall = login or _real_login
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="login-dialog"):
            title = "Log in to Canvas" if self.profile is None else f"Log in again ({self.profile})"
            yield Label(Text(title, style="bold"), id="login-title")
            yield Label("Canvas address", classes="login-label")
            yield Input(
                self.initial_url, placeholder="https://school.instructure.com", id="login-url"
            )
            yield Label("", id="login-url-note", classes="login-note")
            yield Label("Access token", classes="login-label")
            yield Input(password=True, placeholder="paste the token here", id="login-token")
            yield Static(Text(accounts.LOGIN_HINT), id="login-hint", classes="login-note")
            yield Label("", id="login-status")
            with Horizontal(id="login-buttons"):
                yield Button("Log in", variant="primary", id="login-go")
                yield Button("Cancel (esc)", id="login-cancel")

    def on_mount(self) -> None:
        target = "#login-token" if self.initial_url else "#login-url"
        self.query_one(target, Input).focus()
        if self.initial_url:
            self._check_url(self.initial_url)

    # --- the address ---------------------------------------------------------------------
    def _check_url(self, raw: str) -> str | None:
        note = self.query_one("#login-url-note", Label)
        if not raw.strip():
            note.update("")
            return None
        try:
            url = accounts.normalize_url(raw)
        except accounts.AccountError as error:
            note.update(Text(f"✗ {one_line(str(error))}", style="bold"))
            return None
        note.update(Text(f"→ {url}"))
        return url

    @on(Input.Changed, "#login-url")
    def _url_changed(self, event: Input.Changed) -> None:
        self._check_url(event.value)

    @on(Input.Submitted, "#login-url")
    def _url_submitted(self, event: Input.Submitted) -> None:
        if self._check_url(event.value) is not None:
            self.query_one("#login-token", Input).focus()

    # --- logging in ------------------------------------------------------------------------
    @on(Input.Submitted, "#login-token")
    @on(Button.Pressed, "#login-go")
    def _go(self) -> None:
        if self.busy:
            return
        raw_url = self.query_one("#login-url", Input).value
        try:
            url = accounts.normalize_url(raw_url)
        except accounts.AccountError as error:
            self.status(str(error), error=True)
            self.query_one("#login-url", Input).focus()
            return
        token = self.query_one("#login-token", Input).value.strip()
        if not token:
            self.status("Paste your access token first (see below how to make one).", error=True)
            self.query_one("#login-token", Input).focus()
            return
        self.busy = True
        self.query_one("#login-go", Button).disabled = True
        self.status(f"Checking the token with {url}…")
        self.run_login(url, token)

    @on(Button.Pressed, "#login-cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def status(self, line: str, *, error: bool = False) -> None:
        label = self.query_one("#login-status", Label)
        label.update(Text(("✗ " if error else "") + one_line(line)))
        label.set_class(error, "-error")

    @work(exclusive=True, thread=True, group="login", exit_on_error=False)
    def run_login(self, url: str, token: str) -> None:
        # A thread with its own loop: the keyring and the config file block.
        try:
            name, _ = asyncio.run(self._login(url, token, self.profile))
        except accounts.AccountError as error:
            self.app.call_from_thread(self._failed, str(error))
        except Exception as error:  # one line, never a traceback (and never the token)
            self.app.call_from_thread(self._failed, f"Login failed: {type(error).__name__}")
        else:
            self.app.call_from_thread(self._done, name)

    def _failed(self, line: str) -> None:
        self.busy = False
        self.query_one("#login-go", Button).disabled = False
        self.status(line, error=True)
        self.query_one("#login-token", Input).focus()

    def _done(self, name: str) -> None:
        self.busy = False
        self.query_one("#login-token", Input).value = ""
        self.dismiss(name)


def account_choices(current: str | None) -> list[tuple[Text, str]]:
    """Saved profiles (the current one marked in words), then "add an account"."""
    choices = []
    for name, profile, is_default in accounts.list_profiles():
        label = Text(("● " if name == current else "  ") + one_line(name), style="bold")
        label.append(f"  {one_line(profile.url)}")
        if profile.user_name:
            label.append(f"  {one_line(profile.user_name)}", style="dim")
        marks = [m for m, on_ in (("in use", name == current), ("default", is_default)) if on_]
        if marks:
            label.append(f"  ({', '.join(marks)})", style="dim")
        choices.append((label, name))
    choices.append((Text("+ Add an account (log in)…"), ADD))
    return choices


class AccountsScreen(PickerScreen[str]):
    """Pick a saved profile to switch to, or ADD to log in to another."""

    def __init__(self, current: str | None) -> None:
        try:
            choices = account_choices(current)
        except accounts.AccountError as error:
            self.problem: str | None = str(error)
            choices = [(Text("+ Add an account (log in)…"), ADD)]
        else:
            self.problem = None
        index = next((i for i, (_, name) in enumerate(choices) if name == current), 0)
        super().__init__("Accounts: switch, or log in to another", choices, index)

    def on_mount(self) -> None:
        super().on_mount()
        if self.problem:
            self.notify(one_line(self.problem), severity="error", markup=False)
