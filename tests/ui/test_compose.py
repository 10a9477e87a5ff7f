"""The composer on the fake service: recipients as you type, drafts kept as typed,
the review before sending, failures that keep the draft, replies and forwards."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.widgets import Checkbox, Input, Select, TextArea

from canvas_inbox.ui.compose import ComposeScreen, drafting
from canvas_inbox.ui.compose import editor as editor_module
from canvas_inbox.ui.compose.recipients import RecipientField, recipient_text
from canvas_inbox.ui.compose.review import ReviewScreen
from canvas_inbox.ui.screens.inbox import InboxScreen
from tests.ui.conftest import SIZE, AppFactory, inbox_of, plain
from tests.ui.fake_service import CONCLUDED, ME, TEACHER, FakeService, make_conversations


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def composer(app: Any) -> ComposeScreen:
    screen = app.screen
    assert isinstance(screen, ComposeScreen), f"not composing: {screen!r}"
    return screen


def field(app: Any) -> RecipientField:
    return composer(app).query_one(RecipientField)


def status(app: Any) -> str:
    return str(composer(app).query_one("#compose-status").render())


async def settle(pilot: Any, seconds: float = 0.4) -> None:
    """Past the recipient debounce and the draft-save delay, workers done."""
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def review_and_send(pilot: Any) -> None:
    """ctrl+j opens the review; enter there sends; then the send's worker is done."""
    await pilot.press("ctrl+j")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot, 0.1)


async def add_recipient(pilot: Any, text: str, *, down: int = 0) -> None:
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press(*(["down"] * down), "enter")
    await pilot.pause()


async def write_new(
    pilot: Any, *, to: str = "jane", subject: str = "Lab", body: str = "Hi"
) -> None:
    await pilot.press("c")
    await pilot.pause()
    await add_recipient(pilot, to)
    composer(pilot.app).query_one("#subject", Input).focus()
    await pilot.press(*subject)
    composer(pilot.app).query_one("#body", TextArea).focus()
    await pilot.press(*body)
    await pilot.pause()


# --- recipients ------------------------------------------------------------------------------


async def test_typing_suggests_people_after_a_pause_and_enter_adds_one(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert app.focused is field(app).input
        await pilot.press(*"jo")
        await settle(pilot)
        # One question to Canvas for the whole word, not one per key.
        assert service.recipient_queries == [("jo", None)]
        assert [r.name for r in field(app).suggestions] == ["Jordan Lee", "Joanna Park"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert [r.name for r in field(app).recipients] == ["Joanna Park"]
        assert field(app).input.value == ""
        assert not field(app).suggestions
        assert "Joanna Park" in str(field(app).query_one("#to-tokens").render())


async def test_course_targets_are_offered_and_several_people_offer_individual_sends(
    inbox_app: AppFactory,
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        individual = composer(app).query_one("#individual", Checkbox)
        assert not individual.display
        await pilot.press(*"all students")
        await settle(pilot)
        shown = [plain(r.name) for r in field(app).suggestions]
        assert shown[0].startswith("All students in Biology 101")
        await pilot.press("enter")
        await pilot.pause()
        assert field(app).recipients[0].id == "course_12_students"
        assert individual.display  # 23 people: one conversation, or one each?


async def test_backspace_in_the_empty_field_takes_back_the_last_recipient(
    inbox_app: AppFactory,
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await add_recipient(pilot, "jane")
        await add_recipient(pilot, "alex")
        assert [r.name for r in field(app).recipients] == ["Jane Teacher", "Alex Lab"]
        await pilot.press(*"x", "backspace")  # deletes the typed x only
        assert len(field(app).recipients) == 2
        await pilot.press("backspace")
        assert [r.name for r in field(app).recipients] == ["Jane Teacher"]


async def test_an_answer_for_text_no_longer_in_the_field_is_dropped(
    inbox_app: AppFactory,
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        to = field(app)
        to.input.value = "jor"
        await pilot.pause(0.05)
        to.search("jo", None)  # an old question whose answer comes after the field moved on
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert all(r.name != "Joanna Park" for r in to.suggestions)


async def test_the_course_picker_offers_only_courses_still_running(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    service.context_list.append(CONCLUDED)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        picker = composer(app).query_one("#context", Select)
        values = [value for _, value in picker._options]
        assert "course_12" in values
        assert CONCLUDED.code not in values
        picker.value = "course_12"
        await pilot.pause()
        field(app).input.focus()
        await pilot.press(*"jane")
        await settle(pilot)
        # Suggestions are asked for within the chosen course.
        assert service.recipient_queries[-1] == ("jane", "course_12")


async def test_escape_closes_suggestions_before_it_leaves(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"jo")
        await settle(pilot)
        await pilot.press("escape")
        assert not field(app).suggestions
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)


# --- drafts ----------------------------------------------------------------------------------


async def test_the_draft_is_saved_as_typed_and_kept_on_leaving(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="Bring your goggles")
        await settle(pilot)
        (saved,) = service.saved_drafts.values()
        assert saved.body == "Bring your goggles"
        assert saved.subject == "Lab"
        assert [r.id for r in saved.recipients] == [str(TEACHER.id)]
        # Debounced: a handful of writes for ~25 keystrokes, not one per key.
        assert service.draft_saves <= 6
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert any("Draft kept" in line for line in toasts(app))
        assert service.saved_drafts[saved.id].body == "Bring your goggles"


async def test_leaving_without_writing_keeps_no_empty_draft(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert service.saved_drafts == {}
        assert any("no draft kept" in line for line in toasts(app))


async def test_ctrl_s_saves_at_once(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press(*"quick", "ctrl+s")
        (saved,) = service.saved_drafts.values()
        assert saved.body == "quick"
        assert "Draft saved." in toasts(app)


async def test_a_draft_that_cannot_be_saved_says_so_and_stays_open(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()

    def broken(draft: Any) -> None:
        raise OSError("disk full")

    service.save_draft = broken  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press(*"precious", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)  # nothing typed is lost
        assert "Could not save the draft: disk full" in status(app)


# --- review and send -----------------------------------------------------------------------


async def test_send_needs_a_recipient_and_a_body(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert "Add at least one recipient." in status(app)
        assert service.sent == []


async def test_review_shows_everything_then_sends(inbox_app: AppFactory, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("lab notes")
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await add_recipient(pilot, "all students")
        await add_recipient(pilot, "alex")
        screen = composer(app)
        screen.query_one("#individual", Checkbox).value = True
        screen.query_one("#context", Select).value = "course_12"
        screen.query_one("#subject", Input).focus()
        await pilot.press(*"Lab tomorrow")
        await pilot.press("ctrl+t", *str(notes), "enter")
        screen.query_one("#body", TextArea).focus()
        await pilot.press(*"Bring goggles.")
        await pilot.press("ctrl+j")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        summary = plain(app.screen.summary, width=400)
        assert "All students in Biology 101 (23 people)" in summary
        assert "Alex Lab" in summary
        assert "separate messages, one conversation per person" in summary
        assert "Biology 101" in summary
        assert "Lab tomorrow" in summary
        assert "notes.txt  (9 bytes)" in summary
        assert "Bring goggles." in summary
        assert service.sent == []  # nothing leaves before the confirmation
        await pilot.press("enter")
        await settle(pilot, 0.1)
        assert isinstance(app.screen, InboxScreen)
        (sent,) = service.sent
        assert sent.send_individually
        assert sent.context_code == "course_12"
        assert sent.attachment_paths == (str(notes),)
        assert [r.id for r in sent.recipients] == ["course_12_students", "3"]
        assert any(line.startswith("Sent to") for line in toasts(app))
        assert service.saved_drafts == {}


async def test_escape_in_the_review_goes_back_to_editing(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        await pilot.press("ctrl+j")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert service.sent == []


async def test_a_refused_send_keeps_the_draft_and_ctrl_j_sends_the_same_outbox_item(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot, body="Important")
        service.send_outcome = "recipients: invalid"
        await review_and_send(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert "Not sent: recipients: invalid" in status(app)
        assert composer(app).query_one("#body", TextArea).text == "Important"
        (item,) = service.outbox()
        assert item.state == "failed"
        assert any("unsent" in str(h.render()) for h in inbox_of(app).query("HeaderBar"))
        assert not any("Not sent" in line for line in toasts(app))  # said once, in the status
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press("end", *" (edited)", "ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, 0.1)
        assert isinstance(app.screen, InboxScreen)
        assert service.outbox() == []
        assert [d.body for d in service.sent] == ["Important (edited)"]


async def test_an_unknown_outcome_warns_before_a_second_try(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        service.send_outcome = "unknown"
        await review_and_send(pilot)
        assert "it may have been sent" in status(app)


async def test_a_service_error_while_sending_is_one_line(inbox_app: AppFactory) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        service.send_outcome = "raise"
        await review_and_send(pilot)
        line = status(app)
        assert "Not sent: offline" in line
        assert "\n" not in line
        assert service.saved_drafts  # the draft is still there


async def test_the_send_key_can_be_remapped_by_id(inbox_app: AppFactory) -> None:
    app = inbox_app(keys={"compose-send": "ctrl+g"})
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


# --- attachments ---------------------------------------------------------------------------


async def test_attachments_are_checked_listed_and_removable(
    inbox_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small.txt"
    small.write_text("ok")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr("canvas_inbox.ui.compose.attachments.MAX_BYTES", 1024)
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+t", *str(tmp_path / "missing.pdf"), "enter")
        assert "No such file" in status(app)
        composer(app).query_one("#attach", Input).value = str(tmp_path)
        await pilot.press("enter")
        assert "is a folder" in status(app)
        composer(app).query_one("#attach", Input).value = str(big)
        await pilot.press("enter")
        assert "over the 1.0 KB limit" in status(app)
        composer(app).query_one("#attach", Input).value = str(small)
        await pilot.press("enter")
        assert composer(app).draft.attachment_paths == (str(small),)
        composer(app).query_one("#attach", Input).value = str(small)
        await pilot.press("enter")
        assert "already attached" in status(app)
        composer(app).query_one("#attachments").focus()
        await pilot.press("x")
        assert composer(app).draft.attachment_paths == ()


def exists(path: Path) -> bool:
    return path.exists()


# --- $EDITOR -----------------------------------------------------------------------------------

EDITOR_SCRIPT = """
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
pathlib.Path(sys.argv[1]).write_text(str(path))
path.write_text(path.read_text() + " and more from the editor\\n")
"""


async def test_ctrl_e_edits_the_body_in_the_editor_and_removes_the_temp_file(
    inbox_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR_SCRIPT)
    where = tmp_path / "where.txt"
    monkeypatch.setattr(editor_module, "suspend", lambda app: nullcontext())
    app = inbox_app(editor=f"{sys.executable} {script} {where}")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press(*"Start", "ctrl+e")
        await pilot.pause()
        assert composer(app).query_one("#body", TextArea).text == ("Start and more from the editor")
        temp = Path(where.read_text())
        assert temp.name.startswith("canvas-inbox-")
        assert not exists(temp)


async def test_an_editor_that_fails_leaves_the_body_alone(
    inbox_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor_module, "suspend", lambda app: nullcontext())
    app = inbox_app(editor=f"{sys.executable} -c 'raise SystemExit(3)'")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        composer(app).query_one("#body", TextArea).focus()
        await pilot.press(*"Keep me", "ctrl+e")
        await pilot.pause()
        assert composer(app).query_one("#body", TextArea).text == "Keep me"
        assert "exited with status 3" in status(app)


def test_the_editor_falls_back_from_settings_to_visual_to_editor_to_vi(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VISUAL", "nano -w")
    monkeypatch.setenv("EDITOR", "ed")
    assert editor_module.editor_command("code --wait") == ["code", "--wait"]
    assert editor_module.editor_command(None) == ["nano", "-w"]
    monkeypatch.delenv("VISUAL")
    assert editor_module.editor_command(None) == ["ed"]
    monkeypatch.delenv("EDITOR")
    assert editor_module.editor_command(None) == ["vi"]


# --- reply, reply all, forward -----------------------------------------------------------------


async def test_reply_goes_to_the_last_other_author_and_quotes_nothing(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "r")  # 1001: last message by Alex, first by Jane
        await pilot.pause()
        screen = composer(app)
        assert screen.draft.kind == "reply"
        assert screen.draft.conversation_id == 1001
        assert [r.name for r in field(app).recipients] == ["Alex Lab"]
        assert screen.query_one("#body", TextArea).text == ""  # Canvas quotes nothing
        # ...but the message being answered stays in view, above the fields.
        shown = plain(screen.query_one("#compose-context").render(), width=200)
        assert "Alex Lab wrote: Reply number 1: thanks, will do." in shown
        assert app.focused is screen.query_one("#body", TextArea)
        await pilot.press(*"Thanks!", "ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, 0.1)
        (sent,) = service.sent
        assert (sent.kind, sent.conversation_id, sent.body) == ("reply", 1001, "Thanks!")


async def test_reply_all_addresses_everyone_but_me(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "a")
        await pilot.pause()
        names = {r.name for r in field(app).recipients}
        assert names == {"Alex Lab", "Jane Teacher"}
        assert ME.name not in names


async def test_forward_carries_the_messages_and_the_review_says_so(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "f")
        await pilot.pause()
        screen = composer(app)
        assert screen.draft.included_message_ids == (10000, 10001)
        assert field(app).recipients == []
        assert screen.query_one("#subject", Input).value == "Fwd: Chapter 1 reading"
        await add_recipient(pilot, "jordan")
        screen.query_one("#body", TextArea).focus()
        await pilot.press(*"FYI", "ctrl+j")
        await pilot.pause()
        summary = plain(app.screen.summary, width=400)
        assert "forwarding 2 messages" in summary


async def test_a_locked_conversation_says_why_instead_of_opening_a_reply(
    inbox_app: AppFactory,
) -> None:
    thread = make_conversations(1)[0]
    locked = msgspec.structs.replace(
        thread, conversation=msgspec.structs.replace(thread.conversation, cannot_reply=True)
    )
    app = inbox_app(FakeService([locked]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "r")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert any("Replies are closed" in line for line in toasts(app))


async def test_a_concluded_course_says_why_instead_of_opening_a_reply(
    inbox_app: AppFactory,
) -> None:
    thread = make_conversations(1)[0]
    old = msgspec.structs.replace(
        thread,
        conversation=msgspec.structs.replace(thread.conversation, context_code=CONCLUDED.code),
    )
    service = FakeService([old])
    service.context_list.append(CONCLUDED)
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "a")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert any("Chemistry 2025 has concluded" in line for line in toasts(app))


def test_reply_to_my_own_last_message_goes_to_the_other_author() -> None:
    thread = make_conversations(3)[2]  # 1002: the last message is mine
    draft = drafting.reply_draft(thread, ME, reply_all=False)
    assert [r.id for r in draft.recipients] == [str(TEACHER.id)]


async def test_down_in_an_empty_field_browses_the_course_and_folders_open(
    inbox_app: AppFactory,
) -> None:
    service = FakeService()
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        composer(app).query_one("#context", Select).value = "course_12"
        field(app).input.focus()
        await pilot.press("down")
        await settle(pilot)
        names = [plain(recipient_text(r, field(app).contexts)) for r in field(app).suggestions]
        # Canvas calls the target just "Students": the list says whose.
        assert names[1].startswith("≡ Students in Biology 101")
        assert names[2].startswith("≡ Course Sections")
        assert names[2].rstrip().endswith("›")
        await pilot.press("down", "down", "enter")  # a folder: opens, adds nothing
        await settle(pilot)
        assert field(app).recipients == []
        assert [r.name for r in field(app).suggestions] == ["Section A"]
        assert service.recipient_queries[-1] == ("", "course_12_sections")
        await pilot.press("enter")
        await pilot.pause()
        assert [r.id for r in field(app).recipients] == ["section_5"]


async def test_offline_recipient_search_says_so_in_one_line(inbox_app: AppFactory) -> None:
    app = inbox_app(FakeService(online=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"jo")
        await settle(pilot)
        note = str(field(app).query_one("#to-status").render())
        assert "Cannot search recipients: offline" in note
        assert field(app).suggestions == []


class HostileRecipients(FakeService):
    async def search_recipients(self, text: str, context_code: str | None = None) -> list[Any]:
        from canvas_inbox.service import Recipient

        return [
            Recipient(
                id="66",
                name="\x1b]52;c;c2VjcmV0\x07Mal\u202elory [b]Admin[/b]",
                kind="user",
                detail="\x1b[2J[link=https://evil.example]x[/link]",
            )
        ]


async def test_hostile_recipient_names_are_inert_everywhere(inbox_app: AppFactory) -> None:
    app = inbox_app(HostileRecipients())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"mal")
        await settle(pilot)
        suggestion = plain(recipient_text(field(app).suggestions[0]), width=200)
        assert "Mallory [b]Admin[/b]" in suggestion
        assert "[link=https://evil.example]x[/link]" in suggestion
        await pilot.press("enter")
        await pilot.pause()
        tokens = str(field(app).query_one("#to-tokens").render())
        assert "Mallory [b]Admin[/b]" in tokens
        svg = app.export_screenshot()
        for bad in ("\x1b", "\x07", "\u202e", "href"):
            assert bad not in svg


async def test_the_attachment_path_completes_like_a_shell(
    inbox_app: AppFactory, tmp_path: Path
) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "lab-5.pdf").write_text("pdf")
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+t", *f"{tmp_path}/rep")
        await pilot.pause(0.2)
        await pilot.press("right")  # accept the suggestion
        await pilot.press(*"la")
        await pilot.pause(0.2)
        await pilot.press("right", "enter")
        await pilot.pause()
        assert composer(app).draft.attachment_paths == (str(tmp_path / "reports" / "lab-5.pdf"),)


async def test_the_palette_in_the_composer_offers_its_actions(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        await pilot.press("ctrl+p", *"review")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_escape_while_sending_waits_for_canvas(inbox_app: AppFactory) -> None:
    import asyncio

    service = FakeService()
    gate = asyncio.Event()
    real_send = service.send

    async def slow_send(draft: Any) -> Any:
        await gate.wait()
        return await real_send(draft)

    service.send = slow_send  # type: ignore[method-assign]
    app = inbox_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await write_new(pilot)
        await pilot.press("ctrl+j")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert "has not answered yet" in status(app)
        gate.set()
        await settle(pilot, 0.1)
        assert isinstance(app.screen, InboxScreen)
        assert len(service.sent) == 1
