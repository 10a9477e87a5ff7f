"""Search as you type, the help screen, the palette, and keymaps."""

from __future__ import annotations

from rich.text import Text

from canvas_inbox.service import SearchHit
from canvas_inbox.ui.keymap import keymap_for
from canvas_inbox.ui.screens.help import HelpScreen, help_table
from canvas_inbox.ui.screens.search import SearchScreen, hit_label
from canvas_inbox.ui.widgets.inbox_list import InboxList
from tests.ui.conftest import SIZE, AppFactory, inbox_of, plain


async def test_search_as_you_type_then_open_and_step_through_matches(
    inbox_app: AppFactory,
) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"chapter 1")
        await pilot.pause(0.3)
        search = app.screen
        assert isinstance(search, SearchScreen)
        # "chapter 1" is in chapter 1 and chapters 10-12.
        assert {hit.conversation_id for hit in search.hits} == {1000, 1009, 1010, 1011}
        await pilot.press("enter")
        await pilot.pause()
        screen = inbox_of(app)
        assert app.screen is screen
        assert screen.thread_view.thread is not None
        assert screen.thread_view.thread.conversation.id == 1000
        await pilot.press("h", "n")
        assert screen.query_one(InboxList).current.id == 1009  # type: ignore[union-attr]
        await pilot.press("h", "N", "h", "N")
        assert screen.query_one(InboxList).current.id == 1011  # type: ignore[union-attr]


def test_search_hits_highlight_matches_and_stay_inert() -> None:
    hit = SearchHit(
        conversation_id=1,
        message_id=2,
        subject="[bold]Lab[/bold]\x1b[31m",
        snippet="see the\x1b]52;c;x\x07 lab report",
        highlights=((17, 20),),
    )
    label = hit_label(hit)
    assert "\x1b" not in label.plain
    assert label.plain.startswith("[bold]Lab[/bold]\nsee the")
    matched = [
        label.plain[span.start : span.end] for span in label.spans if "reverse" in str(span.style)
    ]
    assert matched == ["lab"]


async def test_help_lists_every_key_including_the_composer(inbox_app: AppFactory) -> None:
    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(help_table(app.key_map), width=120)
        for line in ("] ", "reply-all", "Mark all read", "ctrl+j", "compose-send", "f5 / $"):
            assert line in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_mutt_preset_and_user_remaps(inbox_app: AppFactory) -> None:
    assert keymap_for("mutt", {})["compose"] == "m"
    assert keymap_for("default", {"reply": "R"}) == {"reply": "R"}
    app = inbox_app(keymap="mutt", keys={"star": "asterisk,S"})
    async with app.run_test(size=SIZE) as pilot:
        service = app.service
        await pilot.press("S")
        await pilot.pause()
        assert ("set_starred", ([1000], False)) in service.calls  # type: ignore[attr-defined]
        await pilot.press("s")  # mutt's s archives
        await pilot.pause()
        assert ("set_archived", ([1000], True)) in service.calls  # type: ignore[attr-defined]
        text = plain(help_table(app.key_map), width=120)
        assert "* / S" in text


async def test_palette_offers_reply_only_with_a_thread_open(inbox_app: AppFactory) -> None:
    from canvas_inbox.ui.commands import InboxCommands

    app = inbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = inbox_of(app)

        async def names() -> set[str]:
            provider = InboxCommands(screen)
            return {str(hit.text) for hit in [h async for h in provider.discover()]}

        assert "Reply" not in await names()
        assert "Star" in await names()
        await pilot.press("enter")
        await pilot.pause()
        assert {"Reply", "Reply all", "Forward"} <= await names()
        await pilot.press("colon")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"
        await pilot.press(*"star", "enter")
        await pilot.pause()
        assert ("set_starred", ([1000], False)) in app.service.calls  # type: ignore[attr-defined]


def test_help_table_is_plain_text() -> None:
    assert isinstance(Text(plain(help_table({}))), Text)


async def test_an_unknown_theme_is_said_and_the_app_runs(inbox_app: AppFactory) -> None:
    app = inbox_app(theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        notes = [str(n.message) for n in app._notifications]
        assert "Unknown theme 'no-such-theme'; using textual-dark." in notes
