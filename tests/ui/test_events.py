"""What the service tells the app: new mail, the unread count, offline, expired tokens;
and hostile text from Canvas shown as inert text."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import msgspec

from canvas_inbox.service import (
    ActionFailed,
    AuthExpired,
    Message,
    NewMail,
    Person,
    SyncProgress,
    Thread,
    UnreadCountChanged,
)
from canvas_inbox.ui.app import AUTH_EXPIRED
from canvas_inbox.ui.widgets.inbox_list import InboxList
from canvas_inbox.ui.widgets.status import HeaderBar
from tests.ui.conftest import SIZE, AppFactory, inbox_of, row_texts, thread_text
from tests.ui.fake_service import NOW, FakeService, make_conversations

HOSTILE = (
    "\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ "
    "\x1b]52;c;c2VjcmV0\x07 \u202eevil\u202c [bold red]loud[/] [link=https://evil.example]x[/link]"
)
INERT = "red click  evil [bold red]loud[/] [link=https://evil.example]x[/link]"
INERT_LINE = INERT.replace("  ", " ")  # rows fold runs of spaces


def toasts(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def hostile_service() -> FakeService:
    thread = make_conversations(1)[0]
    villain = Person(id=66, name="\x1b[5mMallory\u202e [b]Admin[/b]")
    conversation = msgspec.structs.replace(
        thread.conversation,
        subject=HOSTILE,
        last_message=HOSTILE,
        participants=(villain, *thread.conversation.participants),
        context_name="[i]Course[/i]\x07",
    )
    message = Message(
        id=5,
        conversation_id=conversation.id,
        author_id=66,
        created_at=NOW - timedelta(minutes=5),
        body=HOSTILE + "\nsecond line",
    )
    return FakeService([Thread(conversation=conversation, messages=(message,))])


async def test_hostile_text_is_shown_inert(inbox_app: AppFactory) -> None:
    app = inbox_app(hostile_service())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        row = row_texts(app, width=400)[0]
        assert "Mallory [b]Admin" in row
        assert INERT_LINE in row
        text = thread_text(app)
        assert INERT in text
        assert "second line" in text
        assert "In: [i]Course[/i]" in text
        for bad in ("\x1b", "\x07", "\u202e"):
            assert bad not in text
            assert bad not in row
        # What was painted carries no escape either.
        svg = app.export_screenshot()
        assert "evil.example\x1b" not in svg
        assert "href" not in svg


async def test_new_mail_toast_bell_and_command(inbox_app: AppFactory, tmp_path: Path) -> None:
    service = FakeService()
    out = tmp_path / "mail.txt"
    script = (
        f"import os; open({str(out)!r}, 'w').write("
        "os.environ['CANVAS_INBOX_SENDER'] + '|' + os.environ['CANVAS_INBOX_SUBJECT'])"
    )
    command = f'{sys.executable} -c "{script}"'
    app = inbox_app(service, bell=True, new_mail_command=command)
    rung: list[bool] = []
    app.bell = lambda: rung.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the service has started
        new = msgspec.structs.replace(
            service.threads[1000].conversation, subject="Quiz $(rm -rf ~) `x` \x1b[31m"
        )
        service.emit(NewMail((new,)))
        service.emit(UnreadCountChanged(7))
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert "Jane Teacher: Quiz $(rm -rf ~) `x`" in toasts(app)
        assert rung == [True]
        assert out.read_text() == "Jane Teacher|Quiz $(rm -rf ~) `x`"
        assert inbox_of(app).query_one(HeaderBar).unread == 7


async def test_offline_is_marked_and_the_cache_still_shows(inbox_app: AppFactory) -> None:
    service = FakeService(online=False)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = inbox_of(app).query_one(HeaderBar)
        assert "offline" in str(header.render())
        assert len(row_texts(app)) == 12
        await pilot.press("f5")
        await pilot.pause()
        assert any("offline" in line for line in toasts(app))
        service.set_online(True)
        await pilot.pause()
        assert "offline" not in str(header.render())
        service.set_online(False, "Canvas is throttling; retrying")
        await pilot.pause()
        assert "Canvas is throttling; retrying" in str(header.render())


async def test_sync_progress_failure_and_expired_token(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        header = inbox_of(app).query_one(HeaderBar)
        service.emit(SyncProgress("threads", 3, 40))
        await pilot.pause()
        assert "syncing threads 3/40" in str(header.render())
        service.emit(SyncProgress("threads", 40, 40))
        service.emit(ActionFailed("Archive 3 conversations", "the network is down"))
        service.emit(AuthExpired("Invalid access token."))
        await pilot.pause()
        assert "syncing" not in str(header.render())
        assert "Archive 3 conversations failed: the network is down" in toasts(app)
        assert AUTH_EXPIRED in str(header.render())
        assert AUTH_EXPIRED in toasts(app)


async def test_the_service_starts_after_the_first_paint(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert service.started
        assert len(row_texts(app)) == 12


async def test_a_cache_that_opens_in_start_paints_after_it(inbox_app: AppFactory) -> None:
    service = FakeService()
    real_read = service.cached_conversations

    def not_yet(*args: object, **kwargs: object) -> object:
        if not service.started:
            raise RuntimeError("cache not open")
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    service.cached_conversations = not_yet  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(row_texts(app)) == 12


class Anonymous(FakeService):
    """A service that does not know the user yet (before its first /users/self)."""

    who: Person | None = None

    @property
    def me(self) -> Person | None:
        return self.who


async def test_rows_say_me_once_the_user_is_known(inbox_app: AppFactory) -> None:
    from tests.ui.fake_service import ME

    service = Anonymous()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        inbox = inbox_of(app).query_one(InboxList)
        assert inbox.render_line(2).text.startswith("     Sam Student")
        service.who = ME
        inbox_of(app).reload()
        await pilot.pause()
        assert inbox.render_line(2).text.startswith("     me, Jane Tea")


async def test_a_reply_arriving_while_reading_shows_up(inbox_app: AppFactory) -> None:
    from canvas_inbox.service import ThreadChanged

    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        thread = service.threads[1000]
        reply = Message(
            id=99,
            conversation_id=1000,
            author_id=3,
            created_at=NOW,
            body="A late question about the lab.",
        )
        service.threads[1000] = msgspec.structs.replace(thread, messages=(*thread.messages, reply))
        service.emit(ThreadChanged(1000))
        await pilot.pause()
        assert "A late question about the lab." in thread_text(app)


async def test_new_mail_stays_quiet_when_the_user_turned_it_off(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service, notify=False, bell=False)
    rung: list[bool] = []
    app.bell = lambda: rung.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        service.emit(NewMail((service.threads[1000].conversation,)))
        await pilot.pause()
        assert toasts(app) == []
        assert rung == []


async def test_several_new_conversations_are_one_toast(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        newest = [service.threads[i].conversation for i in (1000, 1001, 1002)]
        service.emit(NewMail(tuple(newest)))
        await pilot.pause()
        assert toasts(app) == ["Jane Teacher: Chapter 1 reading  (+2 more)"]
