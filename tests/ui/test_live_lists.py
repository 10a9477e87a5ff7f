"""Batch, scopes, the course filter and search, over the real InboxService and the demo
school's sandbox: what a user does with many conversations at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from canvas_inbox.ui.screens.search import SearchScreen
from tests.ui.conftest import inbox_of
from tests.ui.test_live import api_get, live_app, quiet_inbox, until


async def test_live_batch_star_then_the_starred_scope_lists_them(
    demo_sandbox: Any, tmp_path: Path
) -> None:
    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        inbox = await quiet_inbox(app, pilot)
        unstarred = [i for i, row in enumerate(inbox.rows) if not row.starred][:2]
        chosen = {inbox.rows[i].id for i in unstarred}
        for index in unstarred:
            inbox.move_to(index)
            await pilot.press("x")
        assert inbox.selected == chosen
        await pilot.press("s")
        await app.workers.wait_for_complete()
        for conversation_id in chosen:  # Canvas itself says so (batch_update went through)
            for _ in range(100):
                answer = await api_get(demo_sandbox, f"/conversations/{conversation_id}",
                                       auto_mark_as_read="false")  # fmt: skip
                if answer["starred"]:
                    break
                await pilot.pause(0.1)
            assert answer["starred"] is True
        await pilot.press("3")
        await until(pilot, lambda: chosen <= {row.id for row in inbox.rows}, "starred lists them")
        assert all(row.starred for row in inbox.rows)


async def test_live_course_filter_shows_only_that_course(demo_sandbox: Any, tmp_path: Path) -> None:
    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        inbox = await quiet_inbox(app, pilot)
        screen = inbox_of(app)
        contexts = app.service.contexts()
        course = next(c for c in contexts if c.kind == "course" and not c.concluded)
        expected = {
            c["id"]
            for c in await api_get(demo_sandbox, "/conversations", filter=course.code, per_page=100)
        }
        await pilot.press("backslash")
        await pilot.pause()
        await pilot.press(*["down"] * (contexts.index(course) + 1), "enter")
        await until(pilot, lambda: screen.context == course, "the filter is applied")
        await until(
            pilot,
            lambda: {row.id for row in inbox.rows} == expected,
            "the list is exactly Canvas's list for that course",
        )
        assert expected  # the demo has mail in every open course


async def test_live_search_finds_synced_mail_and_opens_it(
    demo_sandbox: Any, tmp_path: Path
) -> None:
    async with live_app(demo_sandbox.url, tmp_path) as (app, pilot):
        await quiet_inbox(app, pilot)
        await until(pilot, lambda: app.service.search("syllabus"), "the sync indexed the mail")
        hit = app.service.search("syllabus")[0]
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen), "search opens")
        await pilot.press(*"syllabus")
        await pilot.pause(0.5)
        await pilot.press("enter")
        view = inbox_of(app).thread_view
        await until(
            pilot,
            lambda: view.thread is not None and view.thread.conversation.id == hit.conversation_id,
            "the first match's conversation opens",
        )
