"""§3 objects in depth: forwarded messages and indirect participants, avatars, properties,
and the per-endpoint participant flavours (§3.1's table)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sandbox import seeds
from tests.sandbox.conftest import World
from tests.sandbox.seeds import BIG, BIG_FIRST_STUDENT, SAM, STAN, SUE, TINA
from tests.sandbox.spec_http import Caller, participant_ids
from tests.sandbox.test_spec_files_people import FILE_KEYS, upload

MESSAGE_KEYS = {
    "id",
    "created_at",
    "body",
    "author_id",
    "generated",
    "media_comment",
    "forwarded_messages",
    "attachments",
    "participating_user_ids",
}


def forwarded_world(tina: Caller, sue: Caller) -> tuple[dict, list[int]]:
    """Sue and Tina talk; Tina forwards both messages to Stan. Returns (Stan's conversation
    as created, [ids of the forwarded messages, oldest first])."""
    source = sue.create([TINA], "first from Sue")
    second = tina.reply(source["id"], "Tina answers")
    ids = [source["messages"][0]["id"], second["messages"][0]["id"]]
    conv = tina.create([STAN], "fyi", forwarded_message_ids=ids)
    return conv, ids


def test_3_3_forwarded_messages_full_objects_newest_first(tina: Caller, sue: Caller) -> None:
    """§3.3: forwarded_messages are full message objects, newest first."""
    conv, ids = forwarded_world(tina, sue)
    (message,) = conv["messages"]
    forwarded = message["forwarded_messages"]
    assert [m["id"] for m in forwarded] == list(reversed(ids))
    assert [m["body"] for m in forwarded] == ["Tina answers", "first from Sue"]
    for m in forwarded:
        assert set(m) >= MESSAGE_KEYS - {"participating_user_ids"}


def test_3_3_forwarded_messages_are_recursive(tina: Caller, sue: Caller, stan: Caller) -> None:
    """§3.3: forwarding a message that itself forwards keeps the nesting."""
    conv, _ = forwarded_world(tina, sue)
    outer = stan.show(conv["id"])["messages"][0]
    again = stan.create([TINA], "passing it back", forwarded_message_ids=[outer["id"]])
    (inner,) = again["messages"][0]["forwarded_messages"]
    assert inner["body"] == "fyi"
    assert [m["body"] for m in inner["forwarded_messages"]] == ["Tina answers", "first from Sue"]


def test_3_1_show_includes_indirect_participants(tina: Caller, sue: Caller, stan: Caller) -> None:
    """§3.1: show and single create list indirect participants (authors of forwarded
    messages); audience does not."""
    conv, _ = forwarded_world(tina, sue)
    assert SUE in participant_ids(conv)
    shown = stan.show(conv["id"])
    assert SUE in participant_ids(shown)
    assert shown["audience"] == [TINA]


def test_3_1_update_has_no_indirect_participants(tina: Caller, sue: Caller, stan: Caller) -> None:
    """§3.1: update (and DELETE, remove_messages) list participants as show but without
    the indirect ones."""
    conv, _ = forwarded_world(tina, sue)
    updated = stan.update(conv["id"], starred=True)
    assert sorted(participant_ids(updated)) == [TINA, STAN]
    assert all("avatar_url" in p for p in updated["participants"])


def test_3_1_index_has_no_indirect_participants(tina: Caller, sue: Caller, stan: Caller) -> None:
    """§3.1: the index lists explicit participants only."""
    forwarded_world(tina, sue)
    (row,) = stan.listing()
    assert sorted(participant_ids(row)) == [TINA, STAN]


def test_3_1_add_message_participants_flavour(tina: Caller, sam: Caller) -> None:
    """§3.1: add_message answers with one message and show-style participants
    (common_courses, common_groups, avatar_url)."""
    conv = tina.create([SAM], "hi")
    reply = sam.reply(conv["id"], "back")
    assert len(reply["messages"]) == 1
    for person in reply["participants"]:
        assert {"common_courses", "common_groups", "avatar_url"} <= set(person)
    assert "submissions" not in reply


def test_3_1_avatar_of_the_other_user(tina: Caller) -> None:
    """§3.1: with two participants the conversation avatar is the other user's; with one
    (a monologue) the user's own."""
    conv = tina.create([SAM], "hi")
    people = {p["id"]: p for p in conv["participants"]}
    assert conv["avatar_url"] == people[SAM]["avatar_url"]
    note = tina.create([TINA], "note to self")
    assert note["avatar_url"] == note["participants"][0]["avatar_url"]


def test_3_2_avatars_dropped_above_100_participants(make_world: Callable[..., World]) -> None:
    """§3.2/§13.15: avatar_url is dropped whenever the list has more than 100 users."""
    world = make_world(seeds.big_school())
    tina = world.as_(TINA)
    everyone = [BIG_FIRST_STUDENT + i for i in range(100)]
    conv = tina.create(everyone, "hi all", group_conversation=True, context_code=f"course_{BIG}")
    assert len(conv["participants"]) == 101
    assert all("avatar_url" not in p for p in conv["participants"])
    few = tina.create(everyone[:2], "hi two", group_conversation=True)
    assert all("avatar_url" in p for p in few["participants"])


def test_4_9_large_conversation_reply(make_world: Callable[..., World]) -> None:
    """§4.9/§12: a reply in a conversation of ≥100 participants is 200 with the message
    (the sandbox's documented simplification) or Canvas's 202 ([] or a placeholder id 0)."""
    world = make_world(seeds.big_school())
    tina = world.as_(TINA)
    everyone = [BIG_FIRST_STUDENT + i for i in range(100)]
    conv = tina.create(everyone, "hi all", group_conversation=True, context_code=f"course_{BIG}")
    r = tina.post(f"conversations/{conv['id']}/add_message", {"body": "to the hall"})
    assert r.status_code in {200, 202}, r.text
    body = r.json()
    if r.status_code == 200:
        assert [m["body"] for m in body["messages"]] == ["to the hall"]
    else:
        assert body == [] or body["messages"][0]["id"] == 0
    last = world.as_(BIG_FIRST_STUDENT + 99).listing()[0]
    assert last["last_message"] == "to the hall"


def test_3_1_properties_order(tina: Caller, sam: Caller) -> None:
    """§3.1: properties is the subset, in this order, of last_author, attachments,
    media_objects."""
    file = upload(tina, b"slides")
    conv = tina.create(
        [SAM],
        "both",
        attachment_ids=[file["id"]],
        media_comment_id="0_xyz",
        media_comment_type="video",
    )
    assert conv["properties"] == ["last_author", "attachments", "media_objects"]
    assert sam.listing()[0]["properties"] == ["attachments", "media_objects"]
    media = conv["messages"][0]["media_comment"]
    assert media["content-type"] == "video/mp4"
    assert set(conv["messages"][0]["attachments"][0]) >= FILE_KEYS


def test_10_forwarded_attachments_count(tina: Caller, sue: Caller, stan: Caller) -> None:
    """§10: forwarded messages' attachments raise the attachments property too."""
    file = upload(sue, b"figures")
    source = sue.create([TINA], "with a file", attachment_ids=[file["id"]])
    tina.create([STAN], "fwd", forwarded_message_ids=[source["messages"][0]["id"]])
    (row,) = stan.listing()
    assert "attachments" in row["properties"]


def test_3_1_last_message_uses_newest_visible_message(
    tina: Caller, sam: Caller, sue: Caller
) -> None:
    """§2: last_message is the newest non-generated message visible to the caller;
    a generated message never becomes the preview."""
    conv = tina.create([SAM], "real words", group_conversation=True)
    tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    assert sam.show(conv["id"])["last_message"] == "real words"
    assert sue.listing()[0]["last_message"] == "real words"


def test_4_2_reuse_leaves_sender_row_alone(world: World, tina: Caller, sam: Caller) -> None:
    """§4.2/§7.2: creating into a reused private conversation does not touch the sender's
    state or last_message_at (Tina's row stays unread, her inbox order unchanged)."""
    conv = sam.create([TINA], "question")
    before = tina.listing()[0]
    again = tina.create([SAM], "answer")
    assert again["id"] == conv["id"]
    assert again["workflow_state"] == "unread"
    assert again["last_message_at"] == before["last_message_at"]
    # last_message is the newest visible message, whoever wrote it (§2).
    assert again["last_message"] == "answer"
    assert again["last_authored_message"] == "answer"
    assert tina.ids() == [conv["id"]]


SHOW_PERSON = {
    "id",
    "name",
    "full_name",
    "pronouns",
    "common_courses",
    "common_groups",
    "avatar_url",
}


def _flavour(tina: Caller, endpoint: str) -> dict:
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    cid = conv["id"]
    if endpoint == "update":
        return tina.update(cid, starred=True)
    if endpoint == "delete":
        return tina.delete(f"conversations/{cid}").json()
    if endpoint == "remove_messages":
        extra = tina.reply(cid, "extra")
        r = tina.post(
            f"conversations/{cid}/remove_messages", {"remove": [extra["messages"][0]["id"]]}
        )
        return r.json()
    if endpoint == "add_message":
        return tina.reply(cid, "more")
    r = tina.post(f"conversations/{cid}/add_recipients", {"recipients": [STAN]})
    return r.json()


@pytest.mark.parametrize(
    ("endpoint", "messages"),
    [
        ("update", None),
        ("delete", None),
        ("remove_messages", None),
        ("add_message", 1),
        ("add_recipients", 1),
    ],
)
def test_3_1_flavour_table(tina: Caller, endpoint: str, messages: int | None) -> None:
    """§3.1 table: update/DELETE/remove_messages have no messages, add_message and
    add_recipients one; none has context_name or submissions; participants as show;
    visible is computed (false for DELETE)."""
    body = _flavour(tina, endpoint)
    if messages is None:
        assert "messages" not in body
    else:
        assert len(body["messages"]) == messages
    assert "context_name" not in body
    assert "submissions" not in body
    assert isinstance(body["visible"], bool)
    if endpoint == "delete":
        assert body["visible"] is False
    for person in body["participants"]:
        assert set(person) >= SHOW_PERSON
