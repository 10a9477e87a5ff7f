"""§4.4 show, §4.5 update, §4.6 mark_all_as_read, §4.7 DELETE, §4.13 unread_count."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sandbox import seeds
from tests.sandbox.conftest import World
from tests.sandbox.seeds import BIO, SAM, STAN, SUE, TINA
from tests.sandbox.spec_http import NOT_FOUND, Caller

# ---- §4.4 show ------------------------------------------------------------------------------


def test_4_4_messages_newest_first(tina: Caller, sam: Caller) -> None:
    """§4.4: show lists every visible message, newest first (created_at desc, id desc)."""
    conv = tina.create([SAM, SUE], "first", group_conversation=True)
    sam.reply(conv["id"], "second")
    tina.reply(conv["id"], "third")
    messages = sam.show(conv["id"])["messages"]
    assert [m["body"] for m in messages] == ["third", "second", "first"]
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids, reverse=True)


def test_4_4_auto_mark_as_read_default_true(tina: Caller, sam: Caller) -> None:
    """§4.4/§13.4: show marks an unread conversation read by default, and the response
    already says read; the unread count drops."""
    conv = tina.create([SAM], "hi")
    assert sam.unread_count() == "1"
    r = sam.get(f"conversations/{conv['id']}")
    assert r.status_code == 200
    assert r.json()["workflow_state"] == "read"
    assert sam.listing()[0]["workflow_state"] == "read"
    assert sam.unread_count() == "0"


@pytest.mark.parametrize("value", ["false", "0", "no", "off", "wat"])
def test_4_4_auto_mark_as_read_false_keeps_unread(tina: Caller, sam: Caller, value: str) -> None:
    """§4.4/§1: auto_mark_as_read=false (or any false word) leaves the row unread."""
    conv = tina.create([SAM], "hi")
    r = sam.get(f"conversations/{conv['id']}", {"auto_mark_as_read": value})
    assert r.json()["workflow_state"] == "unread"
    assert sam.unread_count() == "1"


def test_4_4_archived_is_left_alone_by_show(tina: Caller, sam: Caller) -> None:
    """§4.4: auto-mark only changes unread rows: archived stays archived."""
    conv = tina.create([SAM], "hi")
    sam.update(conv["id"], workflow_state="archived")
    r = sam.get(f"conversations/{conv['id']}")
    assert r.json()["workflow_state"] == "archived"


def test_4_4_visible_against_requested_scope(tina: Caller, sam: Caller) -> None:
    """§4.4: visible is computed against the requested scope: ?scope=unread on an unread
    conversation is false once showing marked it read; true without marking."""
    conv = tina.create([SAM], "hi")
    kept = sam.get(
        f"conversations/{conv['id']}", {"scope": "unread", "auto_mark_as_read": "false"}
    ).json()
    assert kept["visible"] is True
    marked = sam.get(f"conversations/{conv['id']}", {"scope": "unread"}).json()
    assert marked["visible"] is False
    assert sam.show(conv["id"])["visible"] is True
    assert sam.show(conv["id"], scope="archived")["visible"] is False


def test_4_4_visible_against_filter(tina: Caller, sam: Caller) -> None:
    """§4.4: visible honours filter as well as scope."""
    conv = tina.create([SAM], "hi", context_code=f"course_{BIO}")
    assert sam.show(conv["id"], filter=[f"course_{BIO}"])["visible"] is True
    assert sam.show(conv["id"], filter=[f"user_{STAN}"])["visible"] is False


def test_4_4_show_flavour_keys(tina: Caller, sam: Caller) -> None:
    """§3.1/§4.4: show has messages, submissions: [], context_name, participants with
    common_courses/common_groups/avatar_url, and no cannot_reply when replies are open."""
    conv = tina.create([SAM], "hi", context_code=f"course_{BIO}")
    shown = sam.show(conv["id"])
    assert shown["submissions"] == []
    assert shown["context_name"] == "Biology 101"
    assert "cannot_reply" not in shown
    for person in shown["participants"]:
        assert {
            "id",
            "name",
            "full_name",
            "pronouns",
            "common_courses",
            "common_groups",
            "avatar_url",
        } <= set(person)


def test_4_4_show_filter_mode_invalid(tina: Caller, sam: Caller) -> None:
    """§4: show validates filter_mode too."""
    conv = tina.create([SAM], "hi")
    r = sam.get(f"conversations/{conv['id']}", {"filter_mode": "both"})
    assert r.status_code == 400
    assert r.json() == [{"attribute": "filter_mode", "message": "invalid"}]


def test_3_1_audience_and_participants_order_by_recent_authorship(
    tina: Caller, sue: Caller
) -> None:
    """§3.1: audience by most recent authorship first (never-authored last, then display
    name); participants in the same order with the caller included."""
    conv = tina.create([SUE, SAM], "x", group_conversation=True)
    assert tina.show(conv["id"])["audience"] == [SAM, SUE]  # nobody else wrote: by name
    sue.reply(conv["id"], "Sue speaks")
    shown = tina.show(conv["id"])
    assert shown["audience"] == [SUE, SAM]
    assert [p["id"] for p in shown["participants"]] == [SUE, TINA, SAM]


# ---- §4.5 update ----------------------------------------------------------------------------


def test_4_5_archive(tina: Caller, sam: Caller) -> None:
    """§4.5: archiving gives workflow_state archived and visible false under the default scope;
    the response has no messages and no context_name."""
    conv = tina.create([SAM], "hi")
    updated = sam.update(conv["id"], workflow_state="archived")
    assert updated["workflow_state"] == "archived"
    assert updated["visible"] is False
    assert "messages" not in updated
    assert "context_name" not in updated
    assert sam.ids() == []
    assert sam.ids(scope="archived") == [conv["id"]]


def test_4_5_visible_computed_for_requested_scope(tina: Caller, sam: Caller) -> None:
    """§4.5: visible in the update response follows the scope parameter."""
    conv = tina.create([SAM], "hi")
    r = sam.put(
        f"conversations/{conv['id']}",
        {"conversation[workflow_state]": "archived", "scope": "archived"},
    )
    assert r.json()["visible"] is True


@pytest.mark.parametrize("state", ["read", "unread"])
def test_4_5_set_read_unread(tina: Caller, sam: Caller, state: str) -> None:
    """§4.5: workflow_state read/unread sets the caller's state; the counter follows."""
    conv = tina.create([SAM], "hi")
    sam.update(conv["id"], workflow_state="read")
    assert sam.update(conv["id"], workflow_state=state)["workflow_state"] == state
    assert sam.unread_count() == ("1" if state == "unread" else "0")


def test_4_5_starred_and_omitted_starred_leaves_it(tina: Caller, sam: Caller) -> None:
    """§4.5: starred=true stars; an update without starred leaves the star alone;
    starred=false unstars."""
    conv = tina.create([SAM], "hi")
    assert sam.update(conv["id"], starred=True)["starred"] is True
    assert sam.update(conv["id"], workflow_state="read")["starred"] is True
    assert sam.ids(scope="starred") == [conv["id"]]
    assert sam.update(conv["id"], starred=False)["starred"] is False
    assert sam.ids(scope="starred") == []


def test_4_5_star_is_per_user(tina: Caller, sam: Caller) -> None:
    """§2: the star lives on the caller's own row."""
    conv = tina.create([SAM], "hi")
    sam.update(conv["id"], starred=True)
    assert tina.show(conv["id"])["starred"] is False


def test_4_5_unsubscribe_group_marks_read(tina: Caller, sam: Caller) -> None:
    """§4.5: unsubscribing a group conversation turns unread into read."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    updated = sam.update(conv["id"], subscribed=False)
    assert updated["subscribed"] is False
    assert updated["workflow_state"] == "read"
    assert sam.unread_count() == "0"


def test_4_5_subscribed_applied_before_explicit_workflow_state(tina: Caller, sam: Caller) -> None:
    """§4.5: subscribed is applied first, then an explicit workflow_state overrides it."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    updated = sam.update(conv["id"], subscribed=False, workflow_state="unread")
    assert updated["subscribed"] is False
    assert updated["workflow_state"] == "unread"


def test_4_5_subscribed_ignored_on_private(tina: Caller, sam: Caller) -> None:
    """§4.5/§6.7/§13.20: subscribed=false on a private conversation is ignored."""
    conv = tina.create([SAM], "hi")
    updated = sam.update(conv["id"], subscribed=False)
    assert updated["subscribed"] is True
    assert updated["workflow_state"] == "unread"


def test_4_5_other_keys_ignored(tina: Caller, sam: Caller) -> None:
    """§4.5: other keys inside conversation are ignored."""
    conv = tina.create([SAM], "hi", subject="Keep me")
    updated = sam.update(conv["id"], subject="Changed", message_count=99)
    assert updated["subject"] == "Keep me"
    assert updated["message_count"] == 1


def test_4_5_missing_conversation_object(tina: Caller, sam: Caller) -> None:
    """§4.5/§9: no conversation object ⇒ 400 {"errors":[{"message":"conversation is missing"}]}."""
    conv = tina.create([SAM], "hi")
    r = sam.put(f"conversations/{conv['id']}", {})
    assert r.status_code == 400
    assert r.json() == {"errors": [{"message": "conversation is missing"}]}


def test_4_5_json_update(tina: Caller, sam: Caller) -> None:
    """§1/§4.5: the conversation object may come as nested JSON."""
    conv = tina.create([SAM], "hi")
    r = sam.put(f"conversations/{conv['id']}", json={"conversation": {"starred": True}})
    assert r.status_code == 200, r.text
    assert r.json()["starred"] is True


@pytest.mark.parametrize("state", ["deleted", "bogus", ""])
def test_4_5_bad_workflow_state_is_400(tina: Caller, sam: Caller, state: str) -> None:
    """§4.5: an unknown workflow_state string ⇒ 400, and the row is unchanged."""
    conv = tina.create([SAM], "hi")
    r = sam.put(f"conversations/{conv['id']}", {"conversation[workflow_state]": state})
    if state == "":
        # An empty value is no value: nothing to change.
        assert r.status_code in {200, 400}, r.text
    else:
        assert r.status_code == 400, r.text
    assert sam.show(conv["id"])["workflow_state"] == "unread"


def test_4_5_update_unknown_is_404(sam: Caller) -> None:
    """§4 lookup: update of a conversation that does not exist ⇒ 404."""
    r = sam.put(f"conversations/{seeds.NO_SUCH_CONVERSATION}", {"conversation[starred]": "1"})
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


# ---- §4.6 mark_all_as_read --------------------------------------------------------------------


def test_4_6_mark_all_as_read(world: World, tina: Caller, sam: Caller) -> None:
    """§4.6: every visible unread row becomes read; archived rows untouched; 200 {}."""
    a = tina.create([SAM], "a")
    b = world.as_(SUE).create([SAM], "b")
    c = world.as_(STAN).create([SAM], "c")
    sam.update(c["id"], workflow_state="archived")
    assert sam.unread_count() == "2"
    r = sam.post("conversations/mark_all_as_read")
    assert r.status_code == 200
    assert r.json() == {}
    assert sam.unread_count() == "0"
    assert {x["id"]: x["workflow_state"] for x in sam.listing()} == {
        a["id"]: "read",
        b["id"]: "read",
    }
    assert sam.show(c["id"])["workflow_state"] == "archived"


def test_4_6_mark_all_as_read_is_per_user(tina: Caller, sam: Caller, sue: Caller) -> None:
    """§4.6: only the caller's rows change."""
    tina.create([SAM, SUE], "hi", group_conversation=True)
    sam.post("conversations/mark_all_as_read")
    assert sue.unread_count() == "1"


# ---- §4.7 DELETE ------------------------------------------------------------------------------


def test_4_7_delete_response(tina: Caller, sam: Caller) -> None:
    """§4.7: DELETE answers 200 with the reset row."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True, context_code=f"course_{BIO}")
    sam.update(conv["id"], starred=True)
    r = sam.delete(f"conversations/{conv['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == conv["id"]
    for key in (
        "last_message",
        "last_message_at",
        "last_authored_message",
        "last_authored_message_at",
    ):
        assert body[key] is None, key
    assert body["message_count"] == 0
    assert body["properties"] == []
    assert body["visible"] is False
    assert body["starred"] is False
    assert body["workflow_state"] == "read"
    assert body["audience_contexts"] == {"courses": {}, "groups": {}}
    assert sorted(body["audience"]) == [TINA, SUE]
    assert "messages" not in body


def test_4_7_delete_then_404_and_gone_from_every_scope(tina: Caller, sam: Caller) -> None:
    """§4.7: the conversation vanishes from every scope and later GETs 404."""
    conv = tina.create([SAM], "hi")
    sam.update(conv["id"], starred=True)
    sam.reply(conv["id"], "mine")
    assert sam.delete(f"conversations/{conv['id']}").status_code == 200
    r = sam.get(f"conversations/{conv['id']}")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    for scope in ("inbox", "unread", "starred", "sent", "archived"):
        assert sam.ids(scope=scope) == [], scope
    assert sam.delete(f"conversations/{conv['id']}").status_code == 404
    assert sam.unread_count() == "0"


def test_4_7_delete_leaves_others_alone(tina: Caller, sam: Caller) -> None:
    """§4.7: other participants are unaffected."""
    conv = tina.create([SAM], "hi")
    sam.delete(f"conversations/{conv['id']}")
    shown = tina.show(conv["id"])
    assert shown["message_count"] == 1
    assert [m["body"] for m in shown["messages"]] == ["hi"]


def test_4_7_reappears_with_only_new_messages_and_no_star(tina: Caller, sam: Caller) -> None:
    """§4.7/§13.13: after DELETE, a new message brings it back with only the new messages,
    unread, and the star stays cleared."""
    conv = tina.create([SAM], "old")
    sam.update(conv["id"], starred=True)
    sam.delete(f"conversations/{conv['id']}")
    tina.reply(conv["id"], "new")
    (back,) = sam.listing()
    assert back["id"] == conv["id"]
    assert back["workflow_state"] == "unread"
    assert back["message_count"] == 1
    assert back["starred"] is False
    assert [m["body"] for m in sam.show(conv["id"])["messages"]] == ["new"]


# ---- §4.13 unread_count ------------------------------------------------------------------------


def test_4_13_unread_count_is_a_string(world: World, tina: Caller, sam: Caller) -> None:
    """§4.13: {"unread_count": "N"}, a string, counting visible unread rows."""
    assert sam.get("conversations/unread_count").json() == {"unread_count": "0"}
    tina.create([SAM], "a")
    world.as_(SUE).create([SAM], "b")
    assert sam.get("conversations/unread_count").json() == {"unread_count": "2"}


def test_7_4_unread_count_ignores_archived_and_own_sends(tina: Caller, sam: Caller) -> None:
    """§7.4: only visible unread rows count: not archived ones, not the sender's own."""
    conv = tina.create([SAM], "a")
    assert tina.unread_count() == "0"
    sam.update(conv["id"], workflow_state="unread")
    sam.update(conv["id"], workflow_state="archived")
    assert sam.unread_count() == "0"


# ---- §5 the state machine of one row --------------------------------------------------------


def test_5_new_message_turns_read_unread(tina: Caller, sam: Caller) -> None:
    """§5: read --new message to a subscribed recipient--> unread."""
    conv = tina.create([SAM], "a")
    sam.update(conv["id"], workflow_state="read")
    tina.reply(conv["id"], "b")
    assert sam.show(conv["id"])["workflow_state"] == "unread"


def test_5_new_message_pulls_out_of_archive(tina: Caller, sam: Caller) -> None:
    """§5: archived --new message (subscribed recipient)--> unread, back in the inbox."""
    conv = tina.create([SAM], "a")
    sam.update(conv["id"], workflow_state="archived")
    tina.reply(conv["id"], "b")
    assert sam.ids() == [conv["id"]]
    assert sam.listing()[0]["workflow_state"] == "unread"


@pytest.mark.parametrize("state", ["read", "unread"])
def test_5_archived_back_by_update(tina: Caller, sam: Caller, state: str) -> None:
    """§5: archived --update read|unread--> read|unread."""
    conv = tina.create([SAM], "a")
    sam.update(conv["id"], workflow_state="archived")
    assert sam.update(conv["id"], workflow_state=state)["workflow_state"] == state
    assert sam.ids() == [conv["id"]]


def test_5_sender_state_untouched_by_sending(tina: Caller, sam: Caller) -> None:
    """§5: sending never changes the sender's state or last_message_at; an archived
    conversation stays archived after its owner replies."""
    conv = tina.create([SAM], "a")
    seen = sam.listing()[0]
    sam.update(conv["id"], workflow_state="archived")
    after = sam.reply(conv["id"], "my reply")
    assert after["workflow_state"] == "archived"
    assert after["last_message_at"] == seen["last_message_at"]
    assert sam.ids(scope="archived") == [conv["id"]]


def test_5_star_independent_of_state(tina: Caller, sam: Caller) -> None:
    """§5: starred is independent of state changes (archive, read, unread, new mail)."""
    conv = tina.create([SAM], "a")
    sam.update(conv["id"], starred=True)
    for state in ("archived", "read", "unread"):
        assert sam.update(conv["id"], workflow_state=state)["starred"] is True
    tina.reply(conv["id"], "b")
    assert sam.show(conv["id"])["starred"] is True


# ---- §6.7 subscribed ----------------------------------------------------------------------------


@pytest.fixture
def unsubscribed(make_world: Callable[..., World]) -> tuple[World, int, str]:
    """A dated group thread (Tina → Sam, Sue) in which Sam has unsubscribed and read it."""
    world = make_world(seeds.school([seeds.DATED[2]]))
    sam = world.as_(SAM)
    conv = sam.find("Charlie")
    sam.update(conv["id"], subscribed=False)
    return world, conv["id"], conv["last_message_at"]


def test_6_7_unsubscribed_gets_message_but_no_unread_no_bump(
    unsubscribed: tuple[World, int, str],
) -> None:
    """§6.7/§7.2: an unsubscribed user still receives the message (visible and counted) but
    is not turned unread and not bumped."""
    world, cid, at = unsubscribed
    sam = world.as_(SAM)
    before = sam.show(cid)["message_count"]
    world.as_(TINA).reply(cid, "news")
    shown = sam.show(cid)
    assert shown["workflow_state"] == "read"
    assert shown["last_message_at"] == at
    assert shown["message_count"] == before + 1
    assert shown["messages"][0]["body"] == "news"


def test_6_7_unsubscribed_archived_stays_archived(unsubscribed: tuple[World, int, str]) -> None:
    """§6.7: an unsubscribed row is not pulled out of the archive by new mail."""
    world, cid, _ = unsubscribed
    sam = world.as_(SAM)
    sam.update(cid, workflow_state="archived")
    world.as_(TINA).reply(cid, "news")
    assert sam.ids(scope="archived") == [cid]


def test_6_7_resubscribe_catches_up(unsubscribed: tuple[World, int, str]) -> None:
    """§6.7/§4.5: re-subscribing syncs last_message_at to the newest message and marks
    unread when it moved forward."""
    world, cid, at = unsubscribed
    sam = world.as_(SAM)
    news = world.as_(TINA).reply(cid, "news")
    updated = sam.update(cid, subscribed=True)
    assert updated["subscribed"] is True
    assert updated["workflow_state"] == "unread"
    assert updated["last_message_at"] == news["messages"][0]["created_at"]
    assert updated["last_message_at"] > at


def test_7_4_invisible_rows_never_count_or_list(tina: Caller) -> None:
    """§7.4/§4.1/§4.6: a row with last_message_at null (the sender's new conversation) is
    invisible: marked unread it neither counts nor lists under unread; archived it is not
    under archived; mark_all_as_read leaves it alone; it stays in sent."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    assert tina.update(conv["id"], workflow_state="unread")["workflow_state"] == "unread"
    assert tina.unread_count() == "0"
    assert tina.ids(scope="unread") == []
    tina.post("conversations/mark_all_as_read")
    assert tina.show(conv["id"])["workflow_state"] == "unread"
    tina.update(conv["id"], workflow_state="archived")
    assert tina.ids(scope="archived") == []
    assert tina.ids(scope="sent") == [conv["id"]]


def test_7_2_never_visible_unsubscribed_row_still_wakes(tina: Caller, sam: Caller) -> None:
    """§7.2: a targeted participant whose last_message_at is null is made unread and visible
    by new mail even when unsubscribed (Tina unsubscribed from her own new thread)."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    assert tina.update(conv["id"], subscribed=False)["subscribed"] is False
    reply = sam.reply(conv["id"], "answer")
    (row,) = tina.listing()
    assert row["id"] == conv["id"]
    assert row["workflow_state"] == "unread"
    assert row["last_message_at"] == reply["messages"][0]["created_at"]
    assert row["subscribed"] is False
