"""§4.2 create: validation order and bodies, the paths (single, bulk private, bulk group,
force_new, async), §4.3 batches, §6.2 sender invisibility and §6.3 private reuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.sandbox import seeds
from tests.sandbox.conftest import World
from tests.sandbox.seeds import (
    BIG,
    BIG_FIRST_STUDENT,
    BIO,
    CHEM,
    DEE,
    HIS,
    NO_SUCH_USER,
    SAM,
    STAN,
    SUE,
    TARIQ,
    TINA,
)
from tests.sandbox.spec_http import ISO_Z, Caller, participant_ids

RECIPIENTS_INVALID = [{"attribute": "recipients", "message": "invalid"}]


def err(r: httpx.Response, status: int = 400) -> Any:
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


# ---- validation, in order (§4.2) ----------------------------------------------------------


def test_4_2_v1_filter_mode_invalid_comes_first(tina: Caller) -> None:
    """§4.2 step 1: an invalid filter_mode wins even over missing recipients and body."""
    r = tina.post("conversations", {"filter_mode": "nope"})
    assert err(r) == [{"attribute": "filter_mode", "message": "invalid"}]


@pytest.mark.parametrize("recipients", [None, ""])
def test_4_2_v3_recipients_blank(tina: Caller, recipients: str | None) -> None:
    """§4.2 step 3: recipients missing or empty ⇒ recipients/blank."""
    r = tina.post("conversations", {"recipients": recipients, "body": "hi"})
    assert err(r) == [{"attribute": "recipients", "message": "blank"}]


def test_4_2_v3_recipients_empty_json_array_blank(tina: Caller) -> None:
    """§4.2 step 3: an empty recipients array ⇒ recipients/blank."""
    r = tina.post("conversations", json={"recipients": [], "body": "hi"})
    assert err(r) == [{"attribute": "recipients", "message": "blank"}]


def test_4_2_v3_blank_recipients_before_blank_body(tina: Caller) -> None:
    """§4.2: recipients/blank is reported before body/blank."""
    assert err(tina.post("conversations", {})) == [{"attribute": "recipients", "message": "blank"}]


@pytest.mark.parametrize(
    "recipients",
    [[NO_SUCH_USER], ["user_4"], ["course_999999"], ["group_999999"], ["garbage"]],
)
def test_4_2_v4_unresolvable_recipients_invalid(tina: Caller, recipients: list) -> None:
    """§4.2 step 4: a resolved list that is empty ⇒ recipients/invalid (unknown ids,
    user_N — a filter form, not a recipient form — unknown contexts, junk)."""
    assert err(tina.post("conversations", {"recipients": recipients, "body": "x"})) == (
        RECIPIENTS_INVALID
    )


def test_4_2_v4_invalid_recipients_before_blank_body(tina: Caller) -> None:
    """§4.2: recipients/invalid (step 4) wins over body/blank (step 5)."""
    r = tina.post("conversations", {"recipients": [NO_SUCH_USER], "body": ""})
    assert err(r) == RECIPIENTS_INVALID


@pytest.mark.parametrize("body", [None, "", "   "])
def test_4_2_v5_body_blank(tina: Caller, body: str | None) -> None:
    """§4.2 step 5: a blank body ⇒ body/blank."""
    r = tina.post("conversations", {"recipients": [SAM], "body": body})
    assert err(r) == [{"attribute": "body", "message": "blank"}]


def test_4_2_v5_blank_body_before_restricted_role(sam: Caller) -> None:
    """§4.2: body/blank (step 5) wins over restricted by role (step 7)."""
    r = sam.post("conversations", {"recipients": [f"course_{BIO}_students"], "body": ""})
    assert err(r) == [{"attribute": "body", "message": "blank"}]


def test_4_2_v6_context_not_a_member_is_invalid(world: World) -> None:
    """§4.2 step 6: a context the sender is not a member of ⇒ context_code/invalid."""
    r = world.as_(DEE).post(
        "conversations",
        {"recipients": [TINA], "body": "hi", "context_code": f"course_{CHEM}"},
    )
    assert err(r) == [{"attribute": "context_code", "message": "invalid"}]


def test_4_2_v6_account_context_without_roster_rights_is_invalid(sam: Caller) -> None:
    """§4.2 step 6: an account context for a sender without roster rights ⇒ invalid."""
    r = sam.post("conversations", {"recipients": [TINA], "body": "hi", "context_code": "account_1"})
    assert err(r) == [{"attribute": "context_code", "message": "invalid"}]


def test_4_2_v2_unknown_context_code(tina: Caller) -> None:
    """§4.2 steps 2/6: a context_code naming no course ⇒ 404 (older Canvas) or a 400
    (the sandbox's allowed answer); never a conversation."""
    r = tina.post(
        "conversations", {"recipients": [SAM], "body": "hi", "context_code": "course_424242"}
    )
    assert r.status_code in {400, 404}, r.text
    body = r.json()
    if r.status_code == 404:
        assert body == {"errors": [{"message": "The specified resource does not exist."}]}
    else:
        assert body == [{"attribute": "context_code", "message": "invalid"}] or "message" in body
    assert tina.listing(scope="sent") == []


def test_4_2_v6_concluded_course_for_non_admin(sam: Caller) -> None:
    """§4.2 step 6: a completed course as context, sender not an admin ⇒ Course concluded."""
    r = sam.post(
        "conversations", {"recipients": [TINA], "body": "hi", "context_code": f"course_{HIS}"}
    )
    assert err(r) == [{"attribute": "Course concluded", "message": "Unable to send messages"}]


def test_4_2_v6_concluded_course_allowed_between_instructors(tina: Caller) -> None:
    """§4.2 step 6: a course admin may still write in a completed course (here to its TA:
    every recipient an instructor, so no send_messages right is needed)."""
    conv = tina.create([TARIQ], "grades", context_code=f"course_{HIS}", group_conversation=True)
    assert conv["context_code"] == f"course_{HIS}"


def test_4_2_v6_context_checks_before_role_restriction(sam: Caller) -> None:
    """§4.2: step 6 (Course concluded) is checked before step 7 (restricted by role)."""
    r = sam.post(
        "conversations",
        {"recipients": [f"course_{BIO}_students"], "body": "hi", "context_code": f"course_{HIS}"},
    )
    # Either step-6 refusal may come first (Sam keeps no send_messages right in a completed
    # course); what matters is that step 7 (restricted by role) does not.
    assert err(r) in (
        [{"attribute": "Unable to send messages to users in History 200", "message": ""}],
        [{"attribute": "Course concluded", "message": "Unable to send messages"}],
    )


@pytest.mark.parametrize("suffix", ["", "_students", "_observers"])
def test_4_2_v7_students_cannot_target_whole_course(sam: Caller, sue: Caller, suffix: str) -> None:
    """§4.2 step 7 / §6.4: course_X, course_X_students, course_X_observers need
    send_messages_all ⇒ a student gets recipients/restricted by role; nothing is sent."""
    r = sam.post("conversations", {"recipients": [f"course_{BIO}{suffix}"], "body": "hi all"})
    assert err(r) == [{"attribute": "recipients", "message": "restricted by role"}]
    assert sue.listing() == []


@pytest.mark.parametrize("suffix", ["_teachers", "_tas"])
def test_6_4_students_may_target_teachers_and_tas(sam: Caller, suffix: str) -> None:
    """§6.4: anyone in a course may target course_X_teachers / course_X_tas."""
    conv = sam.create([f"course_{BIO}{suffix}"], "a question", group_conversation=True)
    expected = TINA if suffix == "_teachers" else TARIQ
    assert conv["audience"] == [expected]


def test_4_2_v8_more_than_100_recipients_group(make_world: Callable[..., World]) -> None:
    """§4.2 step 8: more than 100 resolved recipients on a group send ⇒ too many."""
    tina = make_world(seeds.big_school()).as_(TINA)
    r = tina.post(
        "conversations",
        {"recipients": [f"course_{BIG}_students"], "body": "hi", "group_conversation": True},
    )
    assert err(r) == [{"attribute": "recipients", "message": "too many for group conversation"}]


def test_4_2_v8_limit_applies_to_one_per_recipient_sends(make_world: Callable[..., World]) -> None:
    """§4.2 step 8: the limit also applies to plain (bulk private) sends."""
    tina = make_world(seeds.big_school()).as_(TINA)
    r = tina.post("conversations", {"recipients": [f"course_{BIG}_students"], "body": "hi"})
    assert err(r) == [{"attribute": "recipients", "message": "too many for group conversation"}]


def test_4_2_v8_limit_skipped_for_batch_group(make_world: Callable[..., World]) -> None:
    """§4.2 step 8: group_conversation + bulk_message (a batch-group send) may exceed 100."""
    world = make_world(seeds.big_school())
    r = world.as_(TINA).post(
        "conversations",
        {
            "recipients": [f"course_{BIG}_students"],
            "body": "hi",
            "group_conversation": True,
            "bulk_message": True,
            "mode": "async",
        },
    )
    assert r.status_code == 202, r.text
    assert len(world.as_(BIG_FIRST_STUDENT + 100).listing()) == 1


def test_4_2_v9_subject_too_long_is_model_error(tina: Caller) -> None:
    """§4.2 step 9 / §3.4 shape 2: subject over 255 ⇒ 400 {"errors": {"subject": [...]}}."""
    r = tina.post("conversations", {"recipients": [SAM], "body": "hi", "subject": "s" * 256})
    body = err(r)
    assert isinstance(body["errors"], dict)
    assert body["errors"]["subject"]
    assert body["errors"]["subject"][0]["attribute"] == "subject"


def test_4_2_subject_of_255_is_fine(tina: Caller) -> None:
    """§2: a 255-character subject is allowed."""
    assert tina.create([SAM], subject="s" * 255)["subject"] == "s" * 255


# ---- §6.4 recipient resolution and the sandbox permission rules ----------------------------


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        (seeds.LOU, SAM),  # Lou shares nothing with anybody
        (TINA, seeds.LOU),
        (TINA, seeds.CORA),  # shares only a concluded course
        (SAM, seeds.CARL),  # Carl is in CHEM, Sam is not
    ],
)
def test_6_4_unrelated_users_are_dropped(world: World, sender: int, recipient: int) -> None:
    """§6.4: ids the sender does not know are dropped ⇒ an empty list ⇒ recipients/invalid."""
    r = world.as_(sender).post("conversations", {"recipients": [recipient], "body": "hi"})
    assert err(r) == RECIPIENTS_INVALID
    assert world.as_(recipient).listing() == []


def test_6_4_unknown_ids_dropped_silently_among_valid(tina: Caller) -> None:
    """§6.4: unknown ids are dropped silently when others resolve."""
    conv = tina.create([SAM, NO_SUCH_USER], "hi", group_conversation=True)
    assert conv["audience"] == [SAM]


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [(SAM, SUE), (SAM, STAN), (SAM, TINA), (SAM, TARIQ), (seeds.OLIVE, SAM), (seeds.OLIVE, TINA)],
)
def test_6_4_sandbox_rule_set_allows(world: World, sender: int, recipient: int) -> None:
    """§6.4 sandbox rule set: course-mates, teachers/TAs, observers to observees/teachers."""
    conv = world.as_(sender).create([recipient], "hello")
    assert conv["audience"] == [recipient]


def test_6_4_teacher_expands_course_students(tina: Caller) -> None:
    """§6.4: course_X_students expands to the course's students."""
    conv = tina.create([f"course_{BIO}_students"], "hi", group_conversation=True)
    assert sorted(conv["audience"]) == [SAM, SUE, STAN]


def test_6_4_section_expands_to_its_users(tina: Caller) -> None:
    """§6.4: section_X expands to the section's users the sender can message."""
    conv = tina.create([f"section_{seeds.SECTION_B}"], "hi", group_conversation=True)
    assert conv["audience"] == [STAN]


def test_6_4_group_open_to_members(sam: Caller) -> None:
    """§6.4: a group is open to its members (the sender is removed from the list)."""
    conv = sam.create([f"group_{seeds.LAB_TEAM}"], "hi", group_conversation=True)
    assert conv["audience"] == [SUE]


def test_6_4_duplicates_collapse(tina: Caller) -> None:
    """§6.4: duplicates collapse (an id named twice and again through a context)."""
    conv = tina.create(
        [SAM, SAM, f"section_{seeds.SECTION_B}", STAN], "hi", group_conversation=True
    )
    assert sorted(conv["audience"]) == [SAM, STAN]


def test_6_4_sender_removed_unless_alone(tina: Caller) -> None:
    """§6.4: the sender is removed from the list unless it named only the sender."""
    conv = tina.create([TINA, SAM], "hi", group_conversation=True)
    assert conv["audience"] == [SAM]
    assert sorted(participant_ids(conv)) == [TINA, SAM]


# ---- single path (§4.2) -------------------------------------------------------------------


def test_4_2_create_returns_array_201(tina: Caller) -> None:
    """§4.2/§13.1: create answers 201 with an array of one conversation."""
    r = tina.post("conversations", {"recipients": [SAM], "body": "hi", "subject": "S"})
    assert r.status_code == 201
    body = r.json()
    assert isinstance(body, list)
    assert len(body) == 1


def test_4_2_single_flavour_for_sender(tina: Caller) -> None:
    """§4.2: the sender's view of a new private conversation (the spec's example)."""
    conv = tina.create([SAM], "test", subject="Hello")
    assert conv["subject"] == "Hello"
    assert conv["workflow_state"] == "read"
    assert conv["last_message"] is None
    assert conv["last_message_at"] is None
    assert conv["last_authored_message"] == "test"
    assert conv["message_count"] == 1
    assert conv["subscribed"] is True
    assert conv["private"] is True
    assert conv["starred"] is False
    assert conv["properties"] == ["last_author"]
    assert conv["visible"] is False
    assert conv["context_code"] is None
    assert conv["audience"] == [SAM]
    assert "context_name" not in conv


def test_3_1_single_create_messages_and_participants(tina: Caller) -> None:
    """§3.1: single create has messages = [the new message]; participants as show
    (avatar_url, common_courses, common_groups; the caller's own are {})."""
    conv = tina.create([SUE], "test")
    (message,) = conv["messages"]
    assert message["body"] == "test"
    assert message["author_id"] == TINA
    assert message["generated"] is False
    assert message["media_comment"] is None
    assert message["forwarded_messages"] == []
    assert message["attachments"] == []
    assert sorted(message["participating_user_ids"]) == [TINA, SUE]
    assert ISO_Z.match(message["created_at"])
    people = {p["id"]: p for p in conv["participants"]}
    assert people[TINA]["common_courses"] == {}
    assert people[TINA]["common_groups"] == {}
    assert people[SUE]["common_courses"] == {str(BIO): ["StudentEnrollment"]}
    assert people[SUE]["common_groups"] == {}
    assert all(isinstance(p["avatar_url"], str) for p in conv["participants"])


def test_3_1_audience_contexts_for_one_user(tina: Caller) -> None:
    """§3.1: with an audience of exactly one user, audience_contexts lists their types."""
    conv = tina.create([SUE], "test")
    assert conv["audience_contexts"] == {
        "courses": {str(BIO): ["StudentEnrollment"]},
        "groups": {},
    }


def test_3_1_audience_contexts_for_several_users_are_empty_arrays(tina: Caller) -> None:
    """§3.1: with a larger audience the arrays are empty."""
    conv = tina.create([SAM, SUE], "x", group_conversation=True, context_code=f"course_{BIO}")
    assert conv["audience_contexts"] == {"courses": {str(BIO): []}, "groups": {}}


def test_3_1_avatar_url_group_conversation(tina: Caller) -> None:
    """§3.1: more than two participants ⇒ the group avatar."""
    conv = tina.create([SAM, SUE], "x", group_conversation=True)
    assert conv["avatar_url"].endswith("/images/messages/avatar-group-50.png")


def test_3_1_monologue_audience_is_empty(tina: Caller) -> None:
    """§3.1/§6.3: sending to yourself alone is a private monologue with audience []."""
    conv = tina.create([TINA], "note to self")
    assert conv["audience"] == []
    assert conv["private"] is True
    assert conv["audience_contexts"] == {"courses": {}, "groups": {}}
    again = tina.create([TINA], "another note")
    assert again["id"] == conv["id"]
    assert again["message_count"] == 2


def test_4_2_group_conversation_with_one_recipient_is_new_each_time(tina: Caller) -> None:
    """§4.2/§6.3: group_conversation=true with one recipient ⇒ a new non-private
    conversation every time."""
    first = tina.create([SAM], "one", group_conversation=True)
    second = tina.create([SAM], "two", group_conversation=True)
    assert first["private"] is False
    assert second["private"] is False
    assert first["id"] != second["id"]


def test_4_2_group_conversation_with_several_is_one_conversation(tina: Caller) -> None:
    """§4.2: group_conversation=true with several recipients ⇒ one conversation."""
    conv = tina.create([SAM, SUE], "all of you", group_conversation=True)
    assert sorted(conv["audience"]) == [SAM, SUE]
    assert conv["private"] is False
    assert len(conv["messages"]) == 1


def test_4_2_mode_async_ignored_on_single_path(tina: Caller) -> None:
    """§4.2: mode is honoured only on the batch paths; a single send stays 201."""
    conv = tina.create([SAM], "hi", mode="async")
    assert len(conv["messages"]) == 1


# ---- recipients' side (§4.2, §6.2) ---------------------------------------------------------


def test_4_2_recipient_row_unread_with_preview(tina: Caller, sam: Caller) -> None:
    """§4.2: each recipient's row is unread, last_message = body, visible in the inbox."""
    conv = tina.create([SAM], "for you")
    (seen,) = sam.listing()
    assert seen["id"] == conv["id"]
    assert seen["workflow_state"] == "unread"
    assert seen["last_message"] == "for you"
    assert seen["last_message_at"] == conv["messages"][0]["created_at"]
    assert seen["properties"] == []


def test_6_2_sender_invisibility(tina: Caller) -> None:
    """§6.2/§13.2: the new conversation is absent from the sender's inbox, present in sent,
    and show says last_message null, visible false."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    assert conv["id"] not in tina.ids()
    assert tina.ids(scope="sent") == [conv["id"]]
    shown = tina.show(conv["id"])
    assert shown["last_message"] is None
    assert shown["visible"] is False
    assert tina.show(conv["id"], scope="sent")["visible"] is True


def test_6_2_bulk_send_stays_out_of_sender_inbox(world: World, tina: Caller) -> None:
    """§6.2 (Canvas's own test): after a bulk send to 3 people the sender has 3 rows but
    only the one pre-existing conversation in the inbox."""
    earlier = world.as_(TARIQ).create([TINA], "before")
    items = tina.create_many([SAM, SUE, STAN], "bulk")
    assert len(items) == 3
    assert tina.ids() == [earlier["id"]]
    assert sorted(tina.ids(scope="sent")) == sorted(c["id"] for c in items)


# ---- private reuse (§6.3) -------------------------------------------------------------------


def test_6_3_private_reused_subject_ignored(tina: Caller, sam: Caller) -> None:
    """§6.3: same participants, no context ⇒ the same conversation; subject ignored;
    message_count updated in the response."""
    first = tina.create([SAM], "one", subject="First subject")
    second = tina.create([SAM], "two", subject="Second subject")
    assert second["id"] == first["id"]
    assert second["subject"] == "First subject"
    assert second["message_count"] == 2
    assert [m["body"] for m in sam.show(first["id"])["messages"]] == ["two", "one"]


def test_6_3_reused_by_the_other_side(tina: Caller, sam: Caller) -> None:
    """§6.3: identity is the sorted participant ids: Sam writing to Tina reuses Tina's."""
    first = tina.create([SAM], "one")
    assert sam.create([TINA], "back")["id"] == first["id"]


def test_6_3_context_keys_the_identity(tina: Caller) -> None:
    """§6.3: a different explicit context makes a new conversation; the same context reuses
    it; a request without context does not reuse one created with a context, and a
    context-less conversation is not reused for a context-bearing request."""
    plain = tina.create([SAM], "no context")
    bio = tina.create([SAM], "bio", context_code=f"course_{BIO}")
    assert bio["id"] != plain["id"]
    assert tina.create([SAM], "bio again", context_code=f"course_{BIO}")["id"] == bio["id"]
    assert tina.create([SAM], "plain again")["id"] == plain["id"]
    chem = tina.create([SAM], "chem", context_code=f"course_{CHEM}")
    assert chem["id"] not in {plain["id"], bio["id"]}


def test_6_3_group_conversations_never_reused(tina: Caller) -> None:
    """§6.3: group conversations are never reused, even with identical participants."""
    a = tina.create([SAM, SUE], "a", group_conversation=True)
    b = tina.create([SAM, SUE], "b", group_conversation=True)
    assert a["id"] != b["id"]


def test_6_3_group_conversation_does_not_capture_private(tina: Caller) -> None:
    """§6.3: a group conversation with one other user is not reused by a private send."""
    group = tina.create([SAM], "group", group_conversation=True)
    private = tina.create([SAM], "private")
    assert private["id"] != group["id"]
    assert private["private"] is True


# ---- bulk paths (§4.2) ----------------------------------------------------------------------


def test_4_2_bulk_private_one_per_recipient(tina: Caller, sam: Caller, sue: Caller) -> None:
    """§4.2: group_conversation false with >1 recipients ⇒ one private conversation each."""
    items = tina.create_many([SAM, SUE], "to each")
    assert len(items) == 2
    assert all(c["private"] is True for c in items)
    assert sorted(c["audience"][0] for c in items) == [SAM, SUE]
    assert len(sam.listing()) == 1
    assert len(sue.listing()) == 1
    assert sam.listing()[0]["audience"] == [TINA]


def test_3_1_bulk_flavour_has_no_messages_and_bare_participants(tina: Caller) -> None:
    """§3.1: bulk (sync) items have no messages key and participants with
    id,name,full_name,pronouns only."""
    for conv in tina.create_many([SAM, SUE], "to each"):
        assert "messages" not in conv
        assert "context_name" not in conv
        assert isinstance(conv["visible"], bool)
        for person in conv["participants"]:
            assert set(person) == {"id", "name", "full_name", "pronouns"}


def test_6_3_bulk_private_reuses_per_recipient(tina: Caller) -> None:
    """§6.3: bulk-private sends reuse each recipient's existing private conversation."""
    with_sam = tina.create([SAM], "first")
    items = tina.create_many([SAM, SUE], "to each")
    reused = [c for c in items if c["audience"] == [SAM]]
    assert reused[0]["id"] == with_sam["id"]
    assert reused[0]["message_count"] == 2


def test_4_2_bulk_group_new_non_private_per_recipient(tina: Caller) -> None:
    """§4.2/§6.3: group_conversation + bulk_message ⇒ a brand-new non-private conversation
    per recipient, even when a private one exists."""
    with_sam = tina.create([SAM], "first")
    items = tina.create_many([SAM, SUE], "bulk", group_conversation=True, bulk_message=True)
    assert len(items) == 2
    assert all(c["private"] is False for c in items)
    assert with_sam["id"] not in {c["id"] for c in items}
    assert all(len(c["audience"]) == 1 for c in items)
    assert all("messages" not in c for c in items)


@pytest.mark.parametrize("group", [False, True])
def test_4_2_force_new_makes_new_non_private(tina: Caller, group: bool) -> None:
    """§4.2/§6.3: force_new (any other flags) ⇒ a new non-private conversation per
    recipient, never a reused one."""
    with_sam = tina.create([SAM], "first")
    items = tina.create_many([SAM], "forced", force_new=True, group_conversation=group)
    assert len(items) == 1
    assert items[0]["id"] != with_sam["id"]
    assert items[0]["private"] is False


@pytest.mark.parametrize(
    "flags",
    [{}, {"group_conversation": True, "bulk_message": True}, {"force_new": True}],
)
def test_4_2_async_bulk_is_202_empty_with_batch_header(
    tina: Caller, sam: Caller, sue: Caller, flags: dict
) -> None:
    """§4.2/§13.1: bulk paths with mode=async ⇒ 202, body [], X-Conversation-Batch-Id;
    the messages are still delivered."""
    r = tina.post(
        "conversations", {"recipients": [SAM, SUE], "body": "queued", "mode": "async", **flags}
    )
    assert r.status_code == 202, r.text
    assert r.json() == []
    assert r.headers["X-Conversation-Batch-Id"].isdigit()
    assert [c["last_message"] for c in sam.listing()] == ["queued"]
    assert [c["last_message"] for c in sue.listing()] == ["queued"]


def test_4_3_batches_lists_only_running_batches(tina: Caller) -> None:
    """§4.3: GET /conversations/batches lists the caller's created/sending batches; a
    finished batch disappears (the sandbox finishes them at once)."""
    r = tina.post("conversations", {"recipients": [SAM, SUE], "body": "queued", "mode": "async"})
    assert r.status_code == 202
    batches = tina.get("conversations/batches")
    assert batches.status_code == 200
    for batch in batches.json():
        assert batch["workflow_state"] in {"created", "sending"}
        assert set(batch) >= {
            "id",
            "workflow_state",
            "completion",
            "recipient_count",
            "message",
            "tags",
        }
        assert batch["message"]["participating_user_ids"] == []


def test_4_3_batches_are_per_user(world: World) -> None:
    """§4.3: batches is the caller's own list (another user sees none of Tina's)."""
    world.as_(TINA).post(
        "conversations", {"recipients": [SAM, SUE], "body": "queued", "mode": "async"}
    )
    assert world.as_(SAM).get("conversations/batches").json() == []


def test_4_2_bulk_recipients_each_see_only_their_copy(tina: Caller, sam: Caller) -> None:
    """§4.2: in a bulk send each recipient's conversation is with the sender alone."""
    tina.create_many([SAM, SUE, STAN], "each", group_conversation=True, bulk_message=True)
    (conv,) = sam.listing()
    assert sorted(participant_ids(conv)) == [TINA, SAM]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (f"course_{BIO}_admins", [TARIQ]),
        (f"course_{BIO}_designers", [DEE]),
        (f"course_{BIO}_observers", [seeds.OLIVE]),
        (f"section_{seeds.SECTION_B}_students", [STAN]),
        (f"course_{BIO}", [TARIQ, SAM, SUE, STAN, seeds.OLIVE, DEE]),
        (f"course_{BIO}_all", [TARIQ, SAM, SUE, STAN, seeds.OLIVE, DEE]),
    ],
)
def test_6_4_context_suffixes(tina: Caller, code: str, expected: list[int]) -> None:
    """§6.4: suffixes students/teachers/tas/observers/designers pick enrollment types,
    admins = teachers + TAs, a trailing _all is ignored; the sender is left out."""
    conv = tina.create([code], "hi", group_conversation=True)
    assert sorted(conv["audience"]) == sorted(expected)


def test_6_4_group_closed_to_non_members(stan: Caller) -> None:
    """§6.4: groups are open to members: a non-member student resolves nobody."""
    r = stan.post("conversations", {"recipients": [f"group_{seeds.LAB_TEAM}"], "body": "hi"})
    assert err(r) == RECIPIENTS_INVALID


def test_3_1_audience_contexts_group_member(sam: Caller) -> None:
    """§3.1: for a one-user audience the group arrays say ["Member"]."""
    conv = sam.create([SUE], "lab?")
    assert conv["audience_contexts"] == {
        "courses": {str(BIO): ["StudentEnrollment"]},
        "groups": {str(seeds.LAB_TEAM): ["Member"]},
    }


def test_4_2_scope_on_create_only_affects_visible(tina: Caller) -> None:
    """§4.2: scope/filter/filter_mode on create only affect visible (sent ⇒ true)."""
    r = tina.post("conversations", {"recipients": [SAM], "body": "hi", "scope": "sent"})
    assert r.status_code == 201
    assert r.json()[0]["visible"] is True


def test_6_3_bulk_private_reuse_honours_context(tina: Caller) -> None:
    """§6.3: bulk-private reuse is keyed by participants + context like a single send: a
    context-bearing bulk send does not reuse a context-less private conversation."""
    plain = tina.create([SAM], "plain")
    items = tina.create_many([SAM, SUE], "in BIO", context_code=f"course_{BIO}")
    assert plain["id"] not in {c["id"] for c in items}
    again = tina.create_many([SAM, SUE], "in BIO again", context_code=f"course_{BIO}")
    assert sorted(c["id"] for c in again) == sorted(c["id"] for c in items)


def test_4_2_self_excluded_when_counting_recipients(tina: Caller) -> None:
    """§4.2: R excludes the sender: [self, one other] without group_conversation is the
    single private path (one conversation, with messages), not a bulk send."""
    conv = tina.create([TINA, SAM], "hi")
    assert conv["private"] is True
    assert len(conv["messages"]) == 1


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [(seeds.OLIVE, SUE), (SUE, seeds.OLIVE), (seeds.OLIVE, STAN)],
)
def test_6_4_observer_rules(world: World, sender: int, recipient: int) -> None:
    """§6.4: observers may message their observees and the course's teachers (not other
    students); students cannot see observers other than their own."""
    r = world.as_(sender).post("conversations", {"recipients": [recipient], "body": "hi"})
    assert err(r) == RECIPIENTS_INVALID


def test_6_4_student_may_write_to_own_observer(sam: Caller) -> None:
    """§6.4: a student sees their own observer."""
    assert sam.create([seeds.OLIVE], "hi mum")["audience"] == [seeds.OLIVE]


def test_4_2_v6_no_send_messages_right(make_world: Callable[..., World]) -> None:
    """§4.2 step 6: in a course where the sender lacks send_messages, writing to someone who
    is neither an instructor nor an observee ⇒ the sentence in attribute, message ""."""
    world = make_world(seeds.quiet_school())
    sam = world.as_(SAM)
    r = sam.post(
        "conversations",
        {"recipients": [SUE], "body": "psst", "context_code": f"course_{seeds.QUIET}"},
    )
    assert err(r) == [
        {"attribute": "Unable to send messages to users in Quiet Seminar", "message": ""}
    ]
    ok = sam.create([TINA], "a question", context_code=f"course_{seeds.QUIET}")
    assert ok["context_code"] == f"course_{seeds.QUIET}"


def test_4_2_user_note_is_ignored(tina: Caller) -> None:
    """§4.2: user_note (faculty journal, removed upstream) is accepted and ignored."""
    assert tina.create([SAM], "hi", user_note="1")["message_count"] == 1


def test_3_1_bulk_visible_computed_per_item(tina: Caller) -> None:
    """§3.1: bulk items compute visible per item against the requested scope."""
    r = tina.post("conversations", {"recipients": [SAM, SUE], "body": "x", "scope": "sent"})
    assert r.status_code == 201
    assert [c["visible"] for c in r.json()] == [True, True]
    r = tina.post("conversations", {"recipients": [SAM, SUE], "body": "y"})
    assert [c["visible"] for c in r.json()] == [False, False]
