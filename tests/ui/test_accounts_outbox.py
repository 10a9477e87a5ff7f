"""Drafts to resume, the outbox to retry, logging in, switching accounts, expired tokens."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
from textual.widgets import Input, OptionList, TextArea

from canvas_inbox import accounts, credentials
from canvas_inbox.config import Profile, load_config
from canvas_inbox.service import AuthExpired, Draft, OutboxItem, Recipient, ServiceError
from canvas_inbox.ui.app import SwitchProfile
from canvas_inbox.ui.compose import ComposeScreen
from canvas_inbox.ui.screens import login as login_module
from canvas_inbox.ui.screens.confirm import ConfirmScreen
from canvas_inbox.ui.screens.drafts import DraftsScreen
from canvas_inbox.ui.screens.inbox import InboxScreen
from canvas_inbox.ui.screens.login import ADD, AccountsScreen, LoginScreen
from canvas_inbox.ui.screens.outbox import OutboxScreen
from canvas_inbox.ui.widgets.status import HeaderBar
from tests.keyrings import MemoryKeyring
from tests.ui.conftest import SIZE, AppFactory, inbox_of, plain
from tests.ui.fake_service import NOW, FakeService

JANE = Recipient(id="2", name="Jane Teacher", kind="user")


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def options_text(screen: Any) -> list[str]:
    options = screen.query_one(OptionList)
    return [plain(options.get_option_at_index(i).prompt, 200) for i in range(options.option_count)]


def a_draft(body: str = "Half-written", subject: str = "Lab report") -> Draft:
    return Draft(id=f"d-{subject}", recipients=(JANE,), subject=subject, body=body, updated_at=NOW)


# --- drafts ---------------------------------------------------------------------------------


async def test_drafts_list_resumes_a_draft_where_it_was_left(inbox_app: AppFactory) -> None:
    service = FakeService()
    service.save_draft(a_draft())
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DraftsScreen)
        (line,) = options_text(app.screen)
        assert "Jane Teacher" in line
        assert "Lab report" in line
        assert "Half-written" in line
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        assert screen.query_one("#body", TextArea).text == "Half-written"
        assert screen.query_one("#subject", Input).value == "Lab report"
        await pilot.press("escape")  # resumed and unchanged: still kept
        await pilot.pause()
        assert "d-Lab report" in service.saved_drafts


async def test_a_draft_can_be_discarded_after_a_question(inbox_app: AppFactory) -> None:
    service = FakeService()
    service.save_draft(a_draft())
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert service.saved_drafts == {}
        assert "No drafts" in str(app.screen.query_one("#drafts-title").render())


async def test_discarding_a_draft_whose_send_failed_from_the_list_empties_the_outbox_too(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    item = failed_item(service)
    service.save_draft(item.draft)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D", "d")
        await pilot.pause()
        assert "its unsent copy in the outbox" in app.screen.question
        await pilot.press("y")
        await pilot.pause()
        assert service.saved_drafts == {}
        assert service.outbox() == []
        assert "unsent" not in str(inbox_of(app).query_one(HeaderBar).render())


async def test_the_palette_offers_drafts_and_outbox(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"drafts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DraftsScreen)


# --- outbox ---------------------------------------------------------------------------------


def failed_item(service: FakeService, reason: str = "recipients: invalid") -> OutboxItem:
    item = OutboxItem(
        id="o1",
        draft=a_draft("Please send"),
        state="failed",
        attempts=1,
        last_error=reason,
        created_at=NOW,
    )
    service.outbox_items[item.id] = item
    return item


async def test_failed_messages_are_counted_in_the_header_and_listed_with_the_reason(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    failed_item(service)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "✉ 1 unsent (O)" in str(inbox_of(app).query_one(HeaderBar).render())
        await pilot.press("O")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        (line,) = options_text(app.screen)
        assert "✗ failed" in line
        assert "recipients: invalid" in line
        assert "1 attempt" in line


async def test_retry_from_the_outbox_sends_and_clears_the_count(inbox_app: AppFactory) -> None:
    service = FakeService()
    failed_item(service)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("O", "r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("retry", "o1") in service.calls
        assert "Outbox: empty" in str(app.screen.query_one("#outbox-title").render())
        assert "unsent" not in str(inbox_of(app).query_one(HeaderBar).render())


async def test_a_retry_that_fails_again_says_why(inbox_app: AppFactory) -> None:
    service = FakeService()
    failed_item(service)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        service.send_outcome = "Course concluded"
        await pilot.press("O", "r")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Not sent: Course concluded" in str(app.screen.query_one("#outbox-status").render())
        assert "2 attempts" in options_text(app.screen)[0]


async def test_edit_from_the_outbox_opens_the_composer_on_its_draft(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    failed_item(service)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("O", "e")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert app.screen.query_one("#body", TextArea).text == "Please send"


async def test_a_background_send_that_fails_is_announced(inbox_app: AppFactory) -> None:
    from canvas_inbox.service import OutboxChanged

    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        item = failed_item(service, "Canvas is down")
        service.emit(OutboxChanged(item))
        await pilot.pause()
        assert any("Not sent: “Lab report”: Canvas is down" in t for t in toasts(app))
        assert "✉ 1 unsent" in str(inbox_of(app).query_one(HeaderBar).render())


async def open_outbox(app: Any, pilot: Any) -> None:
    await pilot.press("O")
    await pilot.pause()
    assert isinstance(app.screen, OutboxScreen)


async def test_a_failed_message_can_be_discarded_after_a_question(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    item = failed_item(service)
    service.save_draft(item.draft)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(app, pilot)
        assert "d discards" in str(app.screen.query_one("#outbox-keys").render())
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "It was not sent" in app.screen.question
        await pilot.press("n")  # changed my mind: nothing goes
        await pilot.pause()
        assert [i.id for i in service.outbox()] == ["o1"]
        await pilot.press("d", "y")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)
        assert ("discard_outbox", "o1") in service.calls
        assert service.outbox() == []
        assert service.drafts() == []  # the draft behind it goes too: it is not in D either
        assert "Outbox: empty" in str(app.screen.query_one("#outbox-title").render())
        assert "Discarded “Lab report”" in str(app.screen.query_one("#outbox-status").render())
        assert "unsent" not in str(inbox_of(app).query_one(HeaderBar).render())


async def test_discarding_an_unknown_send_warns_it_may_already_have_gone(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    item = failed_item(service, "the request timed out")
    service.outbox_items["o1"] = OutboxItem(
        id="o1", draft=item.draft, state="unknown", attempts=1,
        last_error="the request timed out", created_at=NOW,
    )  # fmt: skip
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(app, pilot)
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "may already have been sent" in question
        assert "cannot unsend" in question
        assert "check Sent" in question
        await pilot.press("escape")
        await pilot.pause()
        assert [i.id for i in service.outbox()] == ["o1"]


async def test_a_message_being_sent_is_not_discarded(inbox_app: AppFactory) -> None:
    service = FakeService()
    item = failed_item(service)
    service.outbox_items["o1"] = msgspec.structs.replace(item, state="sending")
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen)  # no question: nothing to decide yet
        assert "being sent" in str(app.screen.query_one("#outbox-status").render())
        assert [i.id for i in service.outbox()] == ["o1"]


async def test_a_discard_the_service_refuses_is_one_line(inbox_app: AppFactory) -> None:
    service = FakeService()
    failed_item(service)

    def refuse(outbox_id: str) -> None:
        raise ServiceError("This message is being sent right now; wait for Canvas's answer")

    service.discard_outbox = refuse  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await open_outbox(app, pilot)
        await pilot.press("d", "y")
        await pilot.pause()
        assert "Not discarded: This message is being sent" in str(
            app.screen.query_one("#outbox-status").render()
        )
        assert len(options_text(app.screen)) == 1


# --- logging in -----------------------------------------------------------------------------


def canvas_transport(good_token: str = "good-token") -> httpx.MockTransport:  # noqa: S107
    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {good_token}":
            return httpx.Response(
                401,
                json={"errors": [{"message": "Invalid access token."}]},
                headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
            )
        if request.url.path == "/api/v1/users/self":
            return httpx.Response(200, json={"id": 7, "name": "Sam Student"})
        return httpx.Response(404, json={"errors": [{"message": "not found"}]})

    return httpx.MockTransport(handle)


def login_over(transport: httpx.MockTransport) -> login_module.LoginCall:
    async def call(url: str, token: str, profile: str | None) -> tuple[str, Profile]:
        return await accounts.login(url, token, profile, transport=transport)

    return call


class LoginApp:
    """The login screen alone, as launch.py runs it on first start."""

    @staticmethod
    def make(screen: LoginScreen) -> Any:
        from textual.app import App

        class Only(App[object]):
            def on_mount(self) -> None:
                self.push_screen(screen, self.exit)

        return Only()


async def press_login(pilot: Any, url: str, token: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#login-url", Input).value = url
    screen.query_one("#login-token", Input).value = token
    screen.query_one("#login-token", Input).focus()
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.02)
        if not getattr(pilot.app.screen, "busy", False):
            break


async def test_login_checks_the_token_keeps_it_in_the_keyring_and_returns_the_profile(
    isolated_home: MemoryKeyring,
) -> None:
    screen = LoginScreen(login=login_over(canvas_transport()))
    app = LoginApp.make(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        token_field = screen.query_one("#login-token", Input)
        assert token_field.password  # never shown
        assert "Approved Integrations" in str(screen.query_one("#login-hint").render())
        await press_login(pilot, "school.instructure.com/courses/12", "good-token")
    assert app.return_value == "school"
    assert credentials.get_token("school") == "good-token"
    config = load_config()
    assert config.profiles["school"].url == "https://school.instructure.com"
    assert config.profiles["school"].user_name == "Sam Student"


async def test_a_refused_token_is_one_line_and_the_screen_stays(
    isolated_home: MemoryKeyring,
) -> None:
    screen = LoginScreen(login=login_over(canvas_transport()))
    app = LoginApp.make(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_login(pilot, "https://school.instructure.com", "wrong-token")
        line = str(screen.query_one("#login-status").render())
        assert line.startswith("✗ ")
        assert "\n" not in line
        assert "wrong-token" not in line
        assert app.screen is screen
    assert isolated_home.passwords == {}


async def test_the_address_is_normalised_and_bad_ones_explained_as_typed() -> None:
    screen = LoginScreen(login=login_over(canvas_transport()))
    app = LoginApp.make(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"http://school.edu")
        note = str(screen.query_one("#login-url-note").render())
        assert "Refusing plain http://" in note
        screen.query_one("#login-url", Input).value = "school.instructure.com/login"
        await pilot.pause()
        assert "→ https://school.instructure.com" in str(
            screen.query_one("#login-url-note").render()
        )


async def test_escape_cancels_the_login() -> None:
    screen = LoginScreen()
    app = LoginApp.make(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
    assert app.return_value is None


# --- accounts and expired tokens ---------------------------------------------------------------


async def save_profiles(*names: str) -> None:
    transport = canvas_transport()
    for name in names:
        await accounts.login(f"https://{name}.instructure.com", "good-token", name,
                             transport=transport)  # fmt: skip


async def test_switching_account_restarts_on_the_chosen_profile(
    inbox_app: AppFactory, isolated_home: MemoryKeyring
) -> None:
    await save_profiles("north", "south")
    app = inbox_app()
    app.profile = "north"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, AccountsScreen)
        lines = options_text(app.screen)
        assert lines[0].startswith("● north")
        assert "in use" in lines[0]
        assert "Add an account" in lines[-1]
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.return_value == SwitchProfile("south")


async def test_adding_an_account_logs_in_then_restarts_on_it(
    inbox_app: AppFactory, monkeypatch: pytest.MonkeyPatch, isolated_home: MemoryKeyring
) -> None:
    monkeypatch.setattr(login_module, "_real_login", login_over(canvas_transport()))
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("P")
        await pilot.pause()
        assert app.screen.choices[-1][1] == ADD
        await pilot.press("end", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await press_login(pilot, "east.instructure.com", "good-token")
    assert app.return_value == SwitchProfile("east")


async def test_an_expired_token_offers_to_log_in_again(
    inbox_app: AppFactory, monkeypatch: pytest.MonkeyPatch, isolated_home: MemoryKeyring
) -> None:
    monkeypatch.setattr(login_module, "_real_login", login_over(canvas_transport("new-token")))
    service = FakeService()
    app = inbox_app(service)
    app.profile, app.base_url = "north", "https://north.instructure.com"
    async with app.run_test(size=SIZE) as pilot:
        service.emit(AuthExpired("Invalid access token."))
        service.emit(AuthExpired("Invalid access token."))  # asked once, not twice
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert screen.query_one("#login-url", Input).value == "https://north.instructure.com"
        assert app.focused is screen.query_one("#login-token", Input)
        await press_login(pilot, "https://north.instructure.com", "new-token")
    assert app.return_value == SwitchProfile("north")
    assert credentials.get_token("north") == "new-token"


async def test_declining_to_log_in_again_keeps_the_cached_inbox(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        service.emit(AuthExpired("Invalid access token."))
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert app.is_running
        assert "log in again" in str(inbox_of(app).query_one(HeaderBar).render())


def test_launch_restarts_on_the_profile_the_app_asks_for(
    monkeypatch: pytest.MonkeyPatch, isolated_home: MemoryKeyring
) -> None:
    import argparse
    import asyncio

    from canvas_inbox.ui import launch

    asyncio.run(save_profiles("north", "south"))
    seen: list[str | None] = []

    def fake_run_app(service: Any, settings: Any, *, profile: Any, base_url: Any) -> int | str:
        seen.append(profile)
        return "south" if profile == "north" else 0

    monkeypatch.setattr(launch, "build_service", lambda *args, **kw: object())
    monkeypatch.setattr(launch, "run_app", fake_run_app)
    assert launch.run_tui(argparse.Namespace(profile="north", url=None)) == 0
    assert seen == ["north", "south"]
