"""The Live Events receiver: Canvas (the sandbox) posts events, new mail shows at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from canvas_inbox.demo import free_port
from canvas_inbox.service import NewMail
from canvas_inbox.service.live_receiver import events_of
from tests.service.helpers import ALEX, Canvas, school, until


async def test_a_live_event_brings_new_mail_without_waiting_for_the_poll(
    sandbox_factory: Any, make_service: Any
) -> None:
    port = free_port()
    sandbox = sandbox_factory(seed=school(), live_events_url=f"http://127.0.0.1:{port}/events")
    alex = Canvas(sandbox, ALEX)
    lab = await alex.find("Lab notes", scope="sent")
    # The poll interval is an hour: only the live event can bring the mail in time.
    async with make_service(
        sandbox, background=True, poll_interval=3600, idle_poll_max=3600, live_events_port=port
    ) as (service, events):
        assert service.live_events_port == port
        await until(lambda: service.unread_count == 2, "start-up refresh")
        await asyncio.sleep(0.3)  # the start-up poll has settled; the next is an hour away
        await alex.request(
            "POST", f"/conversations/{lab['id']}/add_message", data={"body": "Live!"}
        )
        started = time.monotonic()
        await until(lambda: events.of(NewMail), "NewMail from the live event", within=5)
        assert [c.subject for c in events.of(NewMail)[0].conversations] == ["Lab notes"]
        assert service._receiver is not None
        assert service._receiver.received >= 1
        assert time.monotonic() - started < 5


async def test_the_receiver_answers_bad_requests_and_ignores_other_events(
    make_service: Any,
) -> None:
    port = free_port()
    dead = f"http://127.0.0.1:{free_port()}"
    async with make_service(dead, live_events_port=port) as (service, _):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.post("/events", content=b"{not json")).status_code == 400
            assert (await client.get("/events")).status_code == 405
            ok = await client.post(
                "/events", json={"metadata": {"event_name": "logged_in"}, "body": {}}
            )
            assert ok.status_code == 204
        assert service._receiver is not None
        assert service._receiver.received == 1


def test_events_of_reads_canvas_envelopes() -> None:
    one = {"metadata": {"event_name": "conversation_created"}, "body": {"conversation_id": "5"}}
    assert events_of(one) == [("conversation_created", one["metadata"], one["body"])]
    assert events_of([one, 3, {"metadata": "x"}]) == events_of(one)
    assert events_of("nonsense") == []
