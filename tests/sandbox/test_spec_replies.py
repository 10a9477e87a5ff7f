"""§4.8 add_recipients, §4.9 add_message, §4.10 remove_messages, §6.6 locked replies and
§7 the effects of a new message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sandbox import seeds
from tests.sandbox.conftest import World
from tests.sandbox.seeds import (
    BIG,
    BIG_FIRST_STUDENT,
    BIO,
    CARL,
    NO_SUCH_USER,
    SAM,
    STAN,
    SUE,
    TARIQ,
    TINA,
)
from tests.sandbox.spec_http import NOT_FOUND, UNAUTHORIZED, Caller, participant_ids


def bodies(conv: dict) -> list[str]:
    return [m["body"] for m in conv["messages"]]


# ---- §4.8 add_recipients --------------------------------------------------------------------


def test_4_8_generated_message_single_user(tina: Caller, sue: Caller) -> None:
    """§4.8/§3.3: one generated message "X was added to the conversation by Y", returned
    as the only message, visible to everyone."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    assert r.status_code == 200, r.text
    body = r.json()
    (message,) = body["messages"]
    assert message["generated"] is True
    assert message["body"] == "Sue was added to the conversation by Tina"
    assert sorted(participant_ids(body)) == [TINA, SAM, SUE]
    assert "Sue was added to the conversation by Tina" in bodies(sue.show(conv["id"]))


@pytest.mark.parametrize(
    ("added", "sentence"),
    [
        ([STAN, TARIQ], "Tariq and Stan were added to the conversation by Tina"),
        ([STAN, SUE, TARIQ], "Tariq, Sue, and Stan were added to the conversation by Tina"),
    ],
)
def test_4_8_generated_message_several_users(tina: Caller, added: list[int], sentence: str) -> None:
    """§3.3: several added users: short names ordered by id, a sentence list, adder last."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": added})
    assert r.json()["messages"][0]["body"] == sentence


def test_4_8_contexts_expand(tina: Caller) -> None:
    """§4.8: recipients take contexts as in create (expanded)."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    r = tina.post(
        f"conversations/{conv['id']}/add_recipients", {"recipients": [f"section_{seeds.SECTION_B}"]}
    )
    assert sorted(r.json()["audience"]) == [SAM, STAN]


def test_4_8_new_user_gets_history_and_unread(tina: Caller, sam: Caller, sue: Caller) -> None:
    """§4.8: a new user gets copies of every message the adder can see, unread, counted,
    message_count = human messages, last_message_at = newest human message time."""
    conv = tina.create([SAM], "one", group_conversation=True)
    second = sam.reply(conv["id"], "two")
    tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    assert sue.unread_count() == "1"
    (row,) = sue.listing()
    assert row["workflow_state"] == "unread"
    assert row["message_count"] == 2
    assert row["last_message_at"] == second["messages"][0]["created_at"]
    assert bodies(sue.show(conv["id"])) == [
        "Sue was added to the conversation by Tina",
        "two",
        "one",
    ]


def test_4_8_generated_message_does_not_flip_others(tina: Caller, sam: Caller) -> None:
    """§4.8/§7.2: the generated message does not make anyone unread or bump last_message_at,
    and does not count in message_count."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    before = sam.show(conv["id"], auto_mark_as_read="true")
    tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    after = sam.show(conv["id"])
    assert after["workflow_state"] == "read"
    assert after["last_message_at"] == before["last_message_at"]
    assert after["message_count"] == 1
    assert after["last_message"] == "hi"


def test_4_8_existing_users_skipped(tina: Caller, sam: Caller) -> None:
    """§4.8: users already in the conversation are skipped; with nobody new, the response's
    message is the caller's newest message and no generated message is added."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SAM]})
    assert r.status_code == 200
    assert bodies(r.json()) == ["hi"]
    assert bodies(sam.show(conv["id"])) == ["hi"]


@pytest.mark.parametrize("recipients", [[NO_SUCH_USER], [seeds.LOU], None])
def test_4_8_empty_resolution_is_400_empty_object(tina: Caller, recipients: list | None) -> None:
    """§4.8/§3.4 shape 6: a resolved list that is empty ⇒ 400 {}."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": recipients})
    assert r.status_code == 400
    assert r.json() == {}


def test_4_8_private_conversation_refused(tina: Caller, sam: Caller) -> None:
    """§4.8: only group conversations take new recipients; a private one is refused (Canvas
    500, a sandbox may answer 400), and nobody is added."""
    conv = tina.create([SAM], "hi")
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    assert r.status_code in {400, 500}
    assert "Traceback" not in r.text
    r.json()
    assert sorted(participant_ids(sam.show(conv["id"]))) == [TINA, SAM]


def test_4_8_more_than_101_participants(make_world: Callable[..., World]) -> None:
    """§4.8: a participant total above 101 ⇒ 400 too many participants for group conversation."""
    world = make_world(seeds.big_school())
    tina = world.as_(TINA)
    hundred = [BIG_FIRST_STUDENT + i for i in range(100)]
    conv = tina.create(hundred, "hi all", group_conversation=True, context_code=f"course_{BIG}")
    assert len(conv["audience"]) == 100
    r = tina.post(
        f"conversations/{conv['id']}/add_recipients", {"recipients": [BIG_FIRST_STUDENT + 100]}
    )
    assert r.status_code == 400
    assert r.json() == [
        {"attribute": "recipients", "message": "too many participants for group conversation"}
    ]


def test_4_8_deleted_conversation_is_404(tina: Caller) -> None:
    """§4 lookup: add_recipients on a conversation the caller deleted ⇒ 404."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    tina.delete(f"conversations/{conv['id']}")
    r = tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    assert r.status_code == 404
    assert r.json() == NOT_FOUND


# ---- §4.9 add_message: checks in order ------------------------------------------------------


@pytest.fixture
def concluded(make_world: Callable[..., World]) -> tuple[World, int]:
    """A thread from Tina to Tariq in the concluded History course."""
    world = make_world(seeds.school(seeds.CONCLUDED))
    return world, world.as_(TARIQ).find("Final grades")["id"]


def test_6_6_cannot_reply_in_concluded_course(concluded: tuple[World, int]) -> None:
    """§6.6/§4.4: show says cannot_reply: true for a conversation in a concluded course
    (locked for everybody there, course admins included)."""
    world, cid = concluded
    assert world.as_(TARIQ).show(cid)["cannot_reply"] is True


def test_4_9_c1_locked_reply_is_authorisation_failure(concluded: tuple[World, int]) -> None:
    """§4.9 check 1/§9: replies locked ⇒ 403 (401 on older servers) with the unauthorized
    body, and nothing is stored."""
    world, cid = concluded
    tariq = world.as_(TARIQ)
    r = tariq.post(f"conversations/{cid}/add_message", {"body": "but why"})
    assert r.status_code in {401, 403}
    assert r.json() == UNAUTHORIZED
    assert bodies(tariq.show(cid)) == ["Your final grade is in."]


def test_4_9_c1_locked_before_blank_body(concluded: tuple[World, int]) -> None:
    """§4.9: check 1 (locked) comes before check 3 (blank body)."""
    world, cid = concluded
    r = world.as_(TARIQ).post(f"conversations/{cid}/add_message", {"body": ""})
    assert r.status_code in {401, 403}
    assert r.json() == UNAUTHORIZED


@pytest.mark.parametrize("body", [None, "", "  "])
def test_4_9_c3_blank_body(tina: Caller, body: str | None) -> None:
    """§4.9 check 3: a blank body ⇒ 400 empty_message."""
    conv = tina.create([SAM], "hi")
    r = tina.post(f"conversations/{conv['id']}/add_message", {"body": body})
    assert r.status_code == 400
    assert r.json() == [
        {"attribute": "empty_message", "message": "Unable to create message without a body"}
    ]


def test_4_9_c4_too_many_participants(make_world: Callable[..., World]) -> None:
    """§4.9 check 4: new recipients pushing the total above 101 ⇒ 400 (capital T)."""
    world = make_world(seeds.big_school())
    tina = world.as_(TINA)
    hundred = [BIG_FIRST_STUDENT + i for i in range(100)]
    conv = tina.create(hundred, "hi all", group_conversation=True, context_code=f"course_{BIG}")
    r = tina.post(
        f"conversations/{conv['id']}/add_message",
        {"body": "one more", "recipients": [BIG_FIRST_STUDENT + 100]},
    )
    assert r.status_code == 400
    assert r.json() == [
        {"attribute": "recipients", "message": "Too many participants for group conversation"}
    ]


def test_4_9_c5_student_to_recipient_without_enrollment(world: World) -> None:
    """§4.9 check 5: in an available course context a student writing to a participant who
    is not a current course user ⇒ 401 with the names."""
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create([SAM, CARL], "mixed", group_conversation=True, context_code=f"course_{BIO}")
    r = sam.post(
        f"conversations/{conv['id']}/add_message", {"body": "hi Carl", "recipients": [CARL]}
    )
    assert r.status_code == 401
    assert r.json() == [
        {
            "attribute": "recipients",
            "message": "The following recipients have no active enrollment in the course, "
            '["Carl Chemist"], unable to send messages',
        }
    ]


def test_4_9_c6_included_message_from_other_conversation(tina: Caller) -> None:
    """§4.9 check 6: included_messages from another conversation ⇒ not for this conversation."""
    one = tina.create([SAM], "one")
    other = tina.create([SUE], "other")
    r = tina.post(
        f"conversations/{one['id']}/add_message",
        {"body": "fwd", "included_messages": [other["messages"][0]["id"]]},
    )
    assert r.status_code == 400
    assert r.json() == [{"attribute": "included_messages", "message": "not for this conversation"}]


def test_4_9_c6_included_message_caller_cannot_see(tina: Caller, sam: Caller) -> None:
    """§4.9 check 6: included_messages the caller cannot see ⇒ not a participant."""
    conv = tina.create([SAM, SUE], "all", group_conversation=True)
    secret = tina.reply(conv["id"], "only Sue", recipients=[SUE])
    r = sam.post(
        f"conversations/{conv['id']}/add_message",
        {"body": "fwd", "included_messages": [secret["messages"][0]["id"]]},
    )
    assert r.status_code == 400
    assert r.json() == [{"attribute": "included_messages", "message": "not a participant"}]


def test_4_9_c3_blank_body_before_included_messages(tina: Caller) -> None:
    """§4.9: check 3 (blank body) comes before check 6 (included_messages)."""
    conv = tina.create([SAM], "one")
    r = tina.post(
        f"conversations/{conv['id']}/add_message", {"body": "", "included_messages": [NO_SUCH_USER]}
    )
    assert r.json() == [
        {"attribute": "empty_message", "message": "Unable to create message without a body"}
    ]


# ---- §4.9 add_message: semantics -------------------------------------------------------------


def test_4_9_reply_all_response(tina: Caller, sam: Caller, sue: Caller) -> None:
    """§4.9: no recipients ⇒ everyone gets it; 200 with messages = [the new message] and
    no context_name."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    r = sam.post(f"conversations/{conv['id']}/add_message", {"body": "to all"})
    assert r.status_code == 200
    reply = r.json()
    assert bodies(reply) == ["to all"]
    assert "context_name" not in reply
    assert sorted(reply["messages"][0]["participating_user_ids"]) == [TINA, SAM, SUE]
    assert sue.show(conv["id"])["last_message"] == "to all"
    assert tina.show(conv["id"])["last_message"] == "to all"


def test_4_9_subset_delivery(tina: Caller, sam: Caller, sue: Caller) -> None:
    """§4.9/§13.10: with recipients on a group conversation the message goes only to them
    plus the author: others never see it (messages, message_count, previews)."""
    conv = tina.create([SAM, SUE], "hi", group_conversation=True)
    sue_before = sue.show(conv["id"])
    reply = tina.reply(conv["id"], "just Sam", recipients=[SAM])
    assert sorted(reply["messages"][0]["participating_user_ids"]) == [TINA, SAM]
    assert bodies(sam.show(conv["id"]))[0] == "just Sam"
    sue_after = sue.show(conv["id"])
    assert "just Sam" not in bodies(sue_after)
    assert sue_after["message_count"] == sue_before["message_count"]
    assert sue_after["last_message"] == "hi"
    assert sue_after["last_message_at"] == sue_before["last_message_at"]


def test_4_9_only_yourself(tina: Caller, sam: Caller) -> None:
    """§4.9: passing your own id sends to nobody but yourself."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    tina.reply(conv["id"], "note", recipients=[TINA])
    assert "note" not in bodies(sam.show(conv["id"]))
    assert bodies(tina.show(conv["id"]))[0] == "note"


def test_4_9_silently_added_recipients(tina: Caller, sam: Caller, stan: Caller) -> None:
    """§4.9: recipients not yet participants are added silently: no "was added" message,
    no history; they see only the new message; others don't see it."""
    conv = tina.create([SAM, SUE], "old news", group_conversation=True)
    tina.reply(conv["id"], "for Stan", recipients=[STAN])
    shown = stan.show(conv["id"])
    assert bodies(shown) == ["for Stan"]
    assert shown["message_count"] == 1
    assert STAN in participant_ids(sam.show(conv["id"]))
    assert all(not m["generated"] for m in sam.show(conv["id"])["messages"])
    assert "for Stan" not in bodies(sam.show(conv["id"]))


def test_4_9_private_with_recipients_adds_nobody(tina: Caller, sam: Caller) -> None:
    """§4.9: with recipients on a private conversation no one is added; delivery is limited
    to listed users who are participants."""
    conv = tina.create([SAM], "hi")
    tina.reply(conv["id"], "not for Sue", recipients=[SUE])
    shown = tina.show(conv["id"])
    assert sorted(participant_ids(shown)) == [TINA, SAM]
    assert "not for Sue" not in bodies(sam.show(conv["id"]))
    assert sam.show(conv["id"])["message_count"] == 1


def test_4_9_included_messages_copied(tina: Caller, sue: Caller) -> None:
    """§4.9: included_messages are copied to the recipients (users who had a copy are
    unaffected)."""
    conv = tina.create([SAM, SUE], "all", group_conversation=True)
    secret = tina.reply(conv["id"], "Sam only", recipients=[SAM])
    tina.reply(
        conv["id"], "fyi Sue", recipients=[SUE], included_messages=[secret["messages"][0]["id"]]
    )
    assert bodies(sue.show(conv["id"])) == ["fyi Sue", "Sam only", "all"]


def test_4_9_sender_row_untouched(tina: Caller, sam: Caller) -> None:
    """§4.9/§7.2: the sender's last_message_at and state are not changed by replying;
    message_count +1, last_authored_message set, properties include last_author."""
    conv = tina.create([SAM], "hi")
    before = sam.show(conv["id"])
    reply = sam.reply(conv["id"], "my answer")
    assert reply["workflow_state"] == "unread"
    assert reply["last_message_at"] == before["last_message_at"]
    assert reply["message_count"] == 2
    assert reply["last_authored_message"] == "my answer"
    assert "last_author" in reply["properties"]


def test_4_9_recipient_rows_bumped_and_unread(tina: Caller, sam: Caller) -> None:
    """§7.2: a targeted subscribed recipient gets last_message_at = message time, unread."""
    conv = tina.create([SAM], "hi")
    assert tina.ids() == []
    reply = sam.reply(conv["id"], "answer")
    row = tina.listing()[0]
    assert row["id"] == conv["id"]
    assert row["workflow_state"] == "unread"
    assert row["last_message_at"] == reply["messages"][0]["created_at"]
    assert row["last_message"] == "answer"


def test_4_9_finds_conversations_the_caller_deleted(tina: Caller, sam: Caller) -> None:
    """§4 lookup: add_message alone also finds conversations the caller deleted."""
    conv = tina.create([SAM], "hi")
    sam.delete(f"conversations/{conv['id']}")
    r = sam.post(f"conversations/{conv['id']}/add_message", {"body": "I'm back"})
    assert r.status_code == 200, r.text
    assert "I'm back" in bodies(tina.show(conv["id"]))


def test_4_9_filter_mode_invalid(tina: Caller) -> None:
    """§4: add_message validates filter_mode."""
    conv = tina.create([SAM], "hi")
    r = tina.post(f"conversations/{conv['id']}/add_message", {"body": "x", "filter_mode": "?"})
    assert r.status_code == 400
    assert r.json() == [{"attribute": "filter_mode", "message": "invalid"}]


# ---- §7 ordering consequence ------------------------------------------------------------------


def test_7_3_own_reply_does_not_move_conversation(make_world: Callable[..., World]) -> None:
    """§7.3/§13.11: the inbox is ordered by the last time somebody else wrote to you: your own
    reply does not move a conversation up; theirs does."""
    world = make_world(seeds.school(seeds.DATED))
    tina = world.as_(TINA)
    alpha = tina.find("Alpha")
    tina.reply(alpha["id"], "my reply")
    assert [c["subject"] for c in tina.listing()] == ["Charlie", "Bravo", "Alpha"]
    world.as_(SAM).reply(alpha["id"], "Sam again")
    assert [c["subject"] for c in tina.listing()] == ["Alpha", "Charlie", "Bravo"]


def test_7_2_last_author_property(tina: Caller, sam: Caller) -> None:
    """§3.1: properties has last_author when the newest message is the caller's."""
    conv = tina.create([SAM], "hi")
    assert sam.listing()[0]["properties"] == []
    sam.reply(conv["id"], "back")
    assert sam.show(conv["id"])["properties"] == ["last_author"]
    assert tina.show(conv["id"])["properties"] == []


# ---- §4.10 remove_messages ----------------------------------------------------------------------


def test_4_10_remove_one_message(tina: Caller, sam: Caller) -> None:
    """§4.10: the caller's row for that message is soft-deleted; counts and previews are
    recomputed; others still see it; no messages key in the response."""
    conv = tina.create([SAM], "first")
    second = tina.reply(conv["id"], "second")
    r = sam.post(
        f"conversations/{conv['id']}/remove_messages", {"remove": [second["messages"][0]["id"]]}
    )
    assert r.status_code == 200
    body = r.json()
    assert "messages" not in body
    assert body["message_count"] == 1
    assert body["last_message"] == "first"
    assert body["last_message_at"] == conv["messages"][0]["created_at"]
    assert bodies(sam.show(conv["id"])) == ["first"]
    assert bodies(tina.show(conv["id"])) == ["second", "first"]


def test_4_10_participating_user_ids_keep_soft_deleted(tina: Caller, sam: Caller) -> None:
    """§3.3: participating_user_ids includes rows soft-deleted by their owner."""
    conv = tina.create([SAM], "first")
    second = tina.reply(conv["id"], "second")
    sam.post(
        f"conversations/{conv['id']}/remove_messages", {"remove": [second["messages"][0]["id"]]}
    )
    newest = tina.show(conv["id"])["messages"][0]
    assert sorted(newest["participating_user_ids"]) == [TINA, SAM]


def test_4_10_remove_all_is_delete(tina: Caller, sam: Caller) -> None:
    """§4.10: removing every non-generated message = DELETE (later 404)."""
    conv = tina.create([SAM], "only")
    r = sam.post(
        f"conversations/{conv['id']}/remove_messages", {"remove": [conv["messages"][0]["id"]]}
    )
    assert r.status_code == 200
    assert r.json()["message_count"] == 0
    assert r.json()["last_message_at"] is None
    assert sam.get(f"conversations/{conv['id']}").status_code == 404


def test_4_10_foreign_ids_ignored(tina: Caller, sam: Caller) -> None:
    """§4.10: ids the caller cannot see, or from other conversations, are ignored."""
    conv = tina.create([SAM], "mine")
    other = tina.create([SUE], "not Sam's")
    r = sam.post(
        f"conversations/{conv['id']}/remove_messages",
        {"remove": [other["messages"][0]["id"], NO_SUCH_USER]},
    )
    assert r.status_code == 200
    assert r.json()["message_count"] == 1
    assert bodies(tina.show(other["id"])) == ["not Sam's"]


def test_4_10_absent_remove_renders_nothing(tina: Caller, sam: Caller) -> None:
    """§4.10: without remove the action renders nothing (an empty 204-style answer)."""
    conv = tina.create([SAM], "mine")
    r = sam.post(f"conversations/{conv['id']}/remove_messages", {})
    assert r.status_code in {200, 204}
    assert r.content == b""
    assert sam.show(conv["id"])["message_count"] == 1


def test_4_10_deleted_conversation_is_404(tina: Caller, sam: Caller) -> None:
    """§4 lookup: remove_messages on a deleted conversation ⇒ 404."""
    conv = tina.create([SAM], "x")
    sam.delete(f"conversations/{conv['id']}")
    r = sam.post(
        f"conversations/{conv['id']}/remove_messages", {"remove": [conv["messages"][0]["id"]]}
    )
    assert r.status_code == 404


def test_4_10_last_message_at_moves_to_newest_remaining(
    make_world: Callable[..., World],
) -> None:
    """§4.10: removing the newest message moves last_message_at to the newest remaining
    message (Sam's own reply of 09-04 in the dated Charlie thread)."""
    world = make_world(seeds.school([seeds.DATED[2]]))
    sam = world.as_(SAM)
    cid = sam.find("Charlie")["id"]
    news = world.as_(TINA).reply(cid, "news")
    r = sam.post(f"conversations/{cid}/remove_messages", {"remove": [news["messages"][0]["id"]]})
    assert r.status_code == 200
    assert r.json()["last_message_at"] == "2026-09-04T09:00:00Z"
    assert r.json()["last_message"] == "charlie reply from Sam"


def test_4_8_new_user_gets_only_what_the_adder_sees(
    tina: Caller, sam: Caller, stan: Caller
) -> None:
    """§4.8: the new user gets copies of every message *the adder* can see — not a message
    the adder was left out of."""
    conv = tina.create([SAM, SUE], "to both", group_conversation=True)
    tina.reply(conv["id"], "Sue only", recipients=[SUE])
    r = sam.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [STAN]})
    assert r.status_code == 200, r.text
    assert bodies(stan.show(conv["id"])) == [
        "Stan was added to the conversation by Sam",
        "to both",
    ]


def test_4_10_only_generated_left_is_delete(tina: Caller, sue: Caller) -> None:
    """§4.10: if no non-generated message remains (only "was added"), the caller's rows are
    all deleted, as by DELETE."""
    conv = tina.create([SAM], "one", group_conversation=True)
    tina.post(f"conversations/{conv['id']}/add_recipients", {"recipients": [SUE]})
    one = [m for m in sue.show(conv["id"])["messages"] if not m["generated"]]
    r = sue.post(f"conversations/{conv['id']}/remove_messages", {"remove": [one[0]["id"]]})
    assert r.status_code == 200
    assert r.json()["message_count"] == 0
    assert sue.get(f"conversations/{conv['id']}").status_code == 404


def test_4_9_c5_before_c6(world: World) -> None:
    """§4.9: check 5 (no active enrollment, 401) comes before check 6 (included_messages)."""
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create([SAM, CARL], "mixed", group_conversation=True, context_code=f"course_{BIO}")
    r = sam.post(
        f"conversations/{conv['id']}/add_message",
        {"body": "hi", "recipients": [CARL], "included_messages": [NO_SUCH_USER]},
    )
    assert r.status_code == 401
    assert r.json()[0]["attribute"] == "recipients"


def test_4_9_participants_always_accepted_as_recipients(world: World) -> None:
    """§4.9 check 4: users already in the conversation are accepted as recipients even when
    the sender could not otherwise message them (Sam and Carl share no course)."""
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create([SAM, CARL], "both", group_conversation=True)
    reply = sam.reply(conv["id"], "hello Carl", recipients=[CARL])
    assert sorted(reply["messages"][0]["participating_user_ids"]) == [SAM, CARL]
    assert bodies(world.as_(CARL).show(conv["id"]))[0] == "hello Carl"


def test_6_6_teacher_involved_keeps_replies_open(make_world: Callable[..., World]) -> None:
    """§6.6: a student without send_messages may still reply when a teacher is involved."""
    world = make_world(seeds.quiet_school())
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create(
        [SAM, SUE], "seminar", group_conversation=True, context_code=f"course_{seeds.QUIET}"
    )
    shown = sam.show(conv["id"])
    assert "cannot_reply" not in shown
    assert bodies(sam.reply(conv["id"], "thanks")) == ["thanks"]
