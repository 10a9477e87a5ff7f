"""Optimistic actions over the sandbox: the cache changes at once, Canvas follows, a
refusal reverts with a reason, and the last change can be undone."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from canvas_inbox.service import (
    ActionFailed,
    ConversationsChanged,
    Recipient,
    ServiceError,
)
from tests.service.helpers import ALEX, SAM, TEACHER, Canvas, until


async def ids_by_subject(service: Any) -> dict[str, int]:
    await service.sync()
    rows = service.cached_conversations("inbox") + service.cached_conversations("sent")
    return {c.subject: c.id for c in rows}


def row(service: Any, cid: int) -> Any:
    return service._core.store.conversation(cid)


async def test_star_applies_at_once_reaches_canvas_and_undoes(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox) as (service, events):
        ids = await ids_by_subject(service)
        lab = ids["Lab notes"]
        seen_starred: list[bool] = []
        service.subscribe(
            lambda e: (
                seen_starred.append(row(service, lab).starred)
                if isinstance(e, ConversationsChanged) and lab in e.ids
                else None
            )
        )
        await service.set_starred([lab], True)
        assert seen_starred[0] is True  # the first change event already shows it starred
        assert (await canvas.show(lab))["starred"] is True
        assert [c.id for c in service.cached_conversations("starred")] == [lab]
        assert await service.undo() == "Star 1 conversation"
        assert (await canvas.show(lab))["starred"] is False
        assert service.cached_conversations("starred") == []
        assert await service.undo() is None  # only the last change, once
        assert not events.of(ActionFailed)


async def test_batch_archive_uses_progress_and_undo_restores_each_state(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox) as (service, _):
        ids = await ids_by_subject(service)
        chosen = [ids["Welcome Sam"], ids["Lab notes"]]  # one unread, one read
        await service.set_archived(chosen, True)
        assert {c.id for c in service.cached_conversations("archived")} == set(chosen)
        assert not {c.id for c in service.cached_conversations("inbox")} & set(chosen)
        assert {c["id"] for c in await canvas.conversations("archived")} == set(chosen)
        assert await service.undo() == "Archive 2 conversations"
        states = {cid: (await canvas.show(cid))["workflow_state"] for cid in chosen}
        assert states == {ids["Welcome Sam"]: "unread", ids["Lab notes"]: "read"}
        assert service.cached_conversations("archived") == []


async def test_mark_read_and_unread_keep_the_count_in_step(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox) as (service, _):
        ids = await ids_by_subject(service)
        await service.fetch_unread_count()
        assert service.unread_count == 2
        await service.set_read([ids["Welcome Sam"]], True)
        assert service.unread_count == 1
        assert await canvas.unread_count() == 1
        await service.set_read([ids["Lab notes"], ids["Welcome Sam"]], False)
        assert service.unread_count == 3
        assert await canvas.unread_count() == 3
        await service.mark_all_read()
        assert service.unread_count == 0
        assert await canvas.unread_count() == 0
        assert service.cached_conversations("unread") == []
        assert await service.undo() == "Mark all read"
        assert await canvas.unread_count() == 3


async def test_a_refused_change_reverts_and_says_why(
    school_sandbox: Any, make_service: Any
) -> None:
    alex = Canvas(school_sandbox, ALEX)
    secret = (await alex.find("Private for Alex"))["id"]
    async with make_service(school_sandbox) as (service, events):
        ids = await ids_by_subject(service)
        # A row the cache believes in, that Canvas does not let Sam touch (404).
        template = row(service, ids["Lab notes"])
        service._core.store.update_conversation(
            msgspec.structs.replace(template, id=secret, subject="Stale row")
        )
        with pytest.raises(ServiceError) as raised:
            await service.set_starred([secret], True)
        assert "\n" not in str(raised.value)
        assert row(service, secret).starred is False
        failed = events.of(ActionFailed)
        assert len(failed) == 1
        assert failed[0].description == "Star 1 conversation"
        assert failed[0].reason == str(raised.value)
        assert service.online  # Canvas answered; the connection is fine
        # A batch where one id is refused: the rest stays changed.
        with pytest.raises(ServiceError, match="1 conversation not changed"):
            await service.set_archived([ids["Lab notes"], secret], True)
        assert row(service, ids["Lab notes"]).workflow_state == "archived"
        assert row(service, secret).workflow_state == "read"


async def test_delete_waits_out_the_undo_window(school_sandbox: Any, make_service: Any) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox, delete_delay=30) as (service, _):
        ids = await ids_by_subject(service)
        lab = ids["Lab notes"]
        await service.delete([lab])
        assert lab not in {c.id for c in service.cached_conversations("inbox")}
        assert service.cached_thread(lab) is None
        assert service.search("mitochondria") == []
        assert await canvas.status(lab) == 200  # not on Canvas yet: undo is still possible
        assert await service.undo() == "Delete 1 conversation"
        assert lab in {c.id for c in service.cached_conversations("inbox")}
        assert service.search("mitochondria")
        await service.delete([lab])
    # Closing sends the delete still inside its window.
    assert await canvas.status(lab) == 404


async def test_delete_reaches_canvas_after_the_delay(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox, delete_delay=0.2) as (service, _):
        ids = await ids_by_subject(service)
        chosen = [ids["Lab notes"], ids["Welcome Sam"]]
        await service.delete(chosen)
        # Hidden until Canvas has answered the delete.
        await until(lambda: not service._core.hidden, "the delayed delete runs")
        for cid in chosen:
            assert await canvas.status(cid) == 404
        assert await service.undo() is None  # Canvas cannot undelete
        assert service.cached_thread(ids["Lab notes"]) is None


async def test_delete_message_and_add_recipients(school_sandbox: Any, make_service: Any) -> None:
    canvas = Canvas(school_sandbox, TEACHER)
    async with make_service(school_sandbox, user=TEACHER) as (service, events):
        await service.sync()
        groups = next(c for c in service.cached_conversations("inbox")
                      if c.subject == "Project groups")  # fmt: skip
        thread = service.cached_thread(groups.id)
        assert thread is not None
        reply = thread.messages[-1]
        await service.delete_message(groups.id, reply.id)
        assert [m.id for m in service.cached_thread(groups.id).messages] == [thread.messages[0].id]
        assert [m["id"] for m in (await canvas.show(groups.id))["messages"]] == [
            thread.messages[0].id
        ]
        # Lou shares nothing with the teacher: Canvas refuses, with a reason.
        with pytest.raises(ServiceError):
            await service.add_recipients(
                groups.id, [Recipient(id="4", name="Lou Loner", kind="user")]
            )
        assert events.of(ActionFailed)[-1].description == "Add recipients"


async def test_actions_race_a_refresh_without_flicker(
    sandbox_factory: Any, make_service: Any
) -> None:
    from tests.service.helpers import school

    slow = sandbox_factory(seed=school(), latency_ms=150)
    async with make_service(slow) as (service, _):
        ids = await ids_by_subject(service)
        lab = ids["Lab notes"]
        states: list[bool] = []
        service.subscribe(lambda e: states.append(row(service, lab).starred))
        await asyncio.gather(service.set_starred([lab], True), service.refresh())
        assert all(states)  # never flipped back by the refresh that raced the change
        assert row(service, lab).starred


async def test_deleting_what_is_already_gone_on_canvas_is_not_an_error(
    school_sandbox: Any, make_service: Any
) -> None:
    canvas = Canvas(school_sandbox, SAM)
    async with make_service(school_sandbox, delete_delay=0.1) as (service, events):
        ids = await ids_by_subject(service)
        lab = ids["Lab notes"]
        await canvas.request("DELETE", f"/conversations/{lab}")  # e.g. from the web
        await service.delete([lab])
        await until(lambda: not service._core.hidden, "the delayed delete runs")
        assert not events.of(ActionFailed)
        assert row(service, lab) is None
