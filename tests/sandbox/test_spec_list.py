"""§4.1 list: scopes and their orders, include_all_conversation_ids, the index flavour (§3.1),
and §6.5 tags and filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sandbox import seeds
from tests.sandbox.conftest import World
from tests.sandbox.seeds import (
    BIO,
    CARL,
    CHEM,
    LAB_TEAM,
    SAM,
    SECTION_A,
    SECTION_B,
    STAN,
    SUE,
    TINA,
)
from tests.sandbox.spec_http import Caller

CONVERSATION_KEYS = {
    "id",
    "subject",
    "workflow_state",
    "last_message",
    "last_message_at",
    "last_authored_message",
    "last_authored_message_at",
    "message_count",
    "subscribed",
    "private",
    "starred",
    "properties",
    "audience",
    "audience_contexts",
    "avatar_url",
    "participants",
    "visible",
    "context_code",
}


@pytest.fixture
def dated(make_world: Callable[..., World]) -> World:
    """Alpha (Sam→Tina 09-01), Bravo (Sue→Tina 09-02), Charlie (Tina→Sam+Sue 09-03,
    Sam replied 09-04) in BIO."""
    return make_world(seeds.school(seeds.DATED))


def subjects(convs: list[dict]) -> list[str]:
    return [c["subject"] for c in convs]


# ---- scopes and orders ------------------------------------------------------------------


def test_4_1_inbox_orders_by_last_message_at_desc(dated: World) -> None:
    """§4.1: inbox = visible read/unread rows, by the caller's last_message_at desc."""
    assert subjects(dated.as_(TINA).listing()) == ["Charlie", "Bravo", "Alpha"]


def test_4_1_ties_break_by_conversation_id_desc(make_world: Callable[..., World]) -> None:
    """§4.1: rows with equal last_message_at are ordered by conversation id desc."""
    same = "2026-09-05T12:00:00Z"
    world = make_world(
        seeds.school(
            [
                {
                    "from": SAM,
                    "to": [str(TINA)],
                    "subject": "Tie 1",
                    "body": "a",
                    "group_conversation": True,
                    "created_at": same,
                },
                {
                    "from": SUE,
                    "to": [str(TINA)],
                    "subject": "Tie 2",
                    "body": "b",
                    "group_conversation": True,
                    "created_at": same,
                },
                {
                    "from": STAN,
                    "to": [str(TINA)],
                    "subject": "Tie 3",
                    "body": "c",
                    "group_conversation": True,
                    "created_at": same,
                },
            ]
        )
    )
    ids = world.as_(TINA).ids()
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)


def test_4_1_unread_scope(dated: World) -> None:
    """§4.1: unread = visible rows in state unread, same order."""
    tina = dated.as_(TINA)
    bravo = tina.find("Bravo")
    tina.update(bravo["id"], workflow_state="read")
    assert subjects(tina.listing(scope="unread")) == ["Charlie", "Alpha"]
    assert all(c["workflow_state"] == "unread" for c in tina.listing(scope="unread"))


def test_4_1_archived_scope(dated: World) -> None:
    """§4.1: archived = visible archived rows, by last_message_at desc; they leave the inbox."""
    tina = dated.as_(TINA)
    for name in ("Alpha", "Charlie"):
        tina.update(tina.find(name)["id"], workflow_state="archived")
    assert subjects(tina.listing(scope="archived")) == ["Charlie", "Alpha"]
    assert subjects(tina.listing()) == ["Bravo"]


def test_4_1_sent_scope_orders_by_own_last_authored_time(dated: World) -> None:
    """§4.1: sent = rows where the caller has an own visible message, ordered by
    visible_last_authored_at desc (Sam wrote Alpha 09-01 and replied to Charlie 09-04)."""
    sam = dated.as_(SAM)
    assert subjects(sam.listing(scope="sent")) == ["Charlie", "Alpha"]
    alpha = sam.find("Alpha", scope="sent")
    sam.reply(alpha["id"], "a later word")
    assert subjects(sam.listing(scope="sent")) == ["Alpha", "Charlie"]


def test_4_1_sent_needs_no_visibility_and_takes_any_state(dated: World) -> None:
    """§4.1: sent includes invisible rows (Sam's own Alpha) and archived rows."""
    sam = dated.as_(SAM)
    assert "Alpha" not in subjects(sam.listing())  # nobody wrote to Sam in Alpha
    charlie = sam.find("Charlie")
    sam.update(charlie["id"], workflow_state="archived")
    assert subjects(sam.listing(scope="sent")) == ["Charlie", "Alpha"]


def test_4_1_starred_orders_by_row_update_time(dated: World) -> None:
    """§4.1: starred is ordered by the row's updated_at desc (not by id or message time),
    and re-orders when anything touches the row."""
    tina = dated.as_(TINA)
    alpha, charlie = tina.find("Alpha"), tina.find("Charlie")
    assert alpha["id"] < charlie["id"]
    tina.update(charlie["id"], starred=True)
    tina.update(alpha["id"], starred=True)
    assert subjects(tina.listing(scope="starred")) == ["Alpha", "Charlie"]
    # Reading Charlie (unread → read) touches its row: it moves to the top.
    r = tina.get(f"conversations/{charlie['id']}")
    assert r.status_code == 200
    assert subjects(tina.listing(scope="starred")) == ["Charlie", "Alpha"]


def test_4_1_starred_needs_no_visibility_and_takes_any_state(dated: World) -> None:
    """§4.1: starred lists starred rows in any state, even invisible ones."""
    sam = dated.as_(SAM)
    alpha = sam.find("Alpha", scope="sent")
    assert alpha["last_message_at"] is None
    sam.update(alpha["id"], starred=True)
    charlie = sam.find("Charlie")
    sam.update(charlie["id"], starred=True, workflow_state="archived")
    assert sorted(subjects(sam.listing(scope="starred"))) == ["Alpha", "Charlie"]


def test_4_1_index_items_are_visible_true(dated: World) -> None:
    """§4.1/§3.1: index items always say visible: true, whatever the scope."""
    tina = dated.as_(TINA)
    tina.update(tina.find("Alpha")["id"], starred=True)
    for scope in ("inbox", "unread", "starred", "sent", "archived"):
        assert all(c["visible"] is True for c in tina.listing(scope=scope))


def test_4_1_message_count_zero_rows_are_in_no_scope(dated: World) -> None:
    """§4.1: every scope requires message_count > 0 (a deleted row is in none)."""
    sam = dated.as_(SAM)
    charlie = sam.find("Charlie")
    assert sam.delete(f"conversations/{charlie['id']}").status_code == 200
    for scope in ("inbox", "unread", "starred", "sent", "archived"):
        assert charlie["id"] not in sam.ids(scope=scope)


# ---- include_all_conversation_ids ---------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "false", "1", "wat"])
def test_4_1_include_all_conversation_ids_presence_switches_shape(dated: World, value: str) -> None:
    """§4.1: include_all_conversation_ids present and non-empty (even =false) switches the
    body to {"conversations": [this page], "conversation_ids": [all, same order]}."""
    tina = dated.as_(TINA)
    everything = tina.ids()
    r = tina.get("conversations", {"include_all_conversation_ids": value, "per_page": 1})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"conversations", "conversation_ids"}
    assert [c["id"] for c in body["conversations"]] == everything[:1]
    assert body["conversation_ids"] == everything


def test_4_1_include_all_conversation_ids_empty_keeps_array(dated: World) -> None:
    """§4.1: an empty include_all_conversation_ids does not switch the shape."""
    r = dated.as_(TINA).get("conversations", {"include_all_conversation_ids": ""})
    assert isinstance(r.json(), list)


def test_4_1_include_all_conversation_ids_follows_scope(dated: World) -> None:
    """§4.1: conversation_ids lists all ids of the requested scope/filter."""
    tina = dated.as_(TINA)
    tina.update(tina.find("Bravo")["id"], workflow_state="archived")
    r = tina.get("conversations", {"include_all_conversation_ids": "true", "scope": "archived"})
    assert r.json()["conversation_ids"] == [tina.find("Bravo", scope="archived")["id"]]


# ---- the index flavour (§3.1) -------------------------------------------------------------


def test_3_1_index_flavour_keys(dated: World) -> None:
    """§3.1: index items carry the conversation fields and context_name, but no messages,
    no submissions and no cannot_reply; participants have id,name,full_name,pronouns only."""
    for conv in dated.as_(TINA).listing():
        assert set(conv) >= CONVERSATION_KEYS | {"context_name"}
        assert "messages" not in conv
        assert "submissions" not in conv
        assert "cannot_reply" not in conv
        for person in conv["participants"]:
            assert set(person) == {"id", "name", "full_name", "pronouns"}


def test_3_1_index_participant_avatars_on_request(dated: World) -> None:
    """§3.1: include[]=participant_avatars adds avatar_url to index participants."""
    convs = dated.as_(TINA).listing(include=["participant_avatars"])
    assert convs
    for conv in convs:
        for person in conv["participants"]:
            assert isinstance(person["avatar_url"], str)
            assert {"common_courses", "common_groups"}.isdisjoint(person)


def test_3_1_index_uuid_on_request(dated: World) -> None:
    """§3.2: include[]=uuid adds each participant's uuid."""
    for conv in dated.as_(TINA).listing(include=["uuid"]):
        for person in conv["participants"]:
            assert isinstance(person["uuid"], str)
            assert person["uuid"]


def test_3_1_index_context_name_and_code(dated: World) -> None:
    """§3.1: context_code is the conversation's context; context_name its name."""
    charlie = dated.as_(TINA).find("Charlie")
    assert charlie["context_code"] == f"course_{BIO}"
    assert charlie["context_name"] == "Biology 101"


def test_3_1_participant_names(dated: World) -> None:
    """§3.2: participant name is the short name, full_name the full name."""
    bravo = dated.as_(TINA).find("Bravo")
    people = {p["id"]: p for p in bravo["participants"]}
    assert people[SUE]["name"] == "Sue"
    assert people[SUE]["full_name"] == "Sue Student"
    assert people[SUE]["pronouns"] is None


def test_3_1_last_message_preview_is_100_chars_with_ellipsis(tina: Caller, sam: Caller) -> None:
    """§3.1: last_message is a preview of at most 100 characters, cut with an ellipsis."""
    body = "word " * 60
    tina.create([SAM], body)
    preview = sam.listing()[0]["last_message"]
    assert len(preview) <= 100
    assert preview.endswith(("…", "..."))
    assert body.startswith(preview.rstrip("….").rstrip())
    short = tina.create([SUE], "short and sweet")
    assert short["last_authored_message"] == "short and sweet"


# ---- filters (§6.5) -----------------------------------------------------------------------


def test_6_5_filter_course(dated: World) -> None:
    """§6.5: filter=course_X matches rows tagged with that course."""
    tina = dated.as_(TINA)
    assert subjects(tina.listing(filter=[f"course_{BIO}"])) == ["Charlie", "Bravo", "Alpha"]
    assert tina.listing(filter=[f"course_{CHEM}"]) == []


def test_6_5_single_filter_parameter(dated: World) -> None:
    """§4.1: a single filter= (no brackets) works like filter[]=."""
    tina = dated.as_(TINA)
    r = tina.get("conversations", {"filter": f"user_{SUE}"})
    assert subjects(r.json()) == ["Charlie", "Bravo"]


def test_6_5_filter_group_and_its_parent_course(world: World, sam: Caller, sue: Caller) -> None:
    """§6.5: a group recipient tags the row with the group and its parent course."""
    conv = sam.create([f"group_{LAB_TEAM}"], "lab tomorrow", group_conversation=True)
    assert sue.ids(filter=[f"group_{LAB_TEAM}"]) == [conv["id"]]
    assert sue.ids(filter=[f"course_{BIO}"]) == [conv["id"]]
    assert sam.ids(scope="sent", filter=[f"group_{LAB_TEAM}"]) == [conv["id"]]


def test_6_5_section_recipient_tags_its_course(tina: Caller, stan: Caller) -> None:
    """§6.5: section codes in recipients become their course's tag."""
    conv = tina.create([f"section_{SECTION_B}"], "section B only", group_conversation=True)
    assert stan.ids(filter=[f"course_{BIO}"]) == [conv["id"]]


def test_6_5_filter_user(dated: World) -> None:
    """§6.5: filter=user_N matches conversations in which N participates."""
    assert subjects(dated.as_(TINA).listing(filter=[f"user_{SUE}"])) == ["Charlie", "Bravo"]


def test_6_5_filter_own_user_matches_all(dated: World) -> None:
    """§6.5: your own user_N matches every conversation."""
    tina = dated.as_(TINA)
    assert tina.ids(filter=[f"user_{TINA}"]) == tina.ids()


def test_6_5_filter_mode_or_is_default(dated: World) -> None:
    """§6.5: several filters with the default mode (or) match any."""
    tina = dated.as_(TINA)
    both = [f"user_{SAM}", f"user_{SUE}"]
    assert subjects(tina.listing(filter=both)) == ["Charlie", "Bravo", "Alpha"]
    assert subjects(tina.listing(filter=both, filter_mode="or")) == ["Charlie", "Bravo", "Alpha"]


def test_6_5_filter_mode_and_requires_all(dated: World) -> None:
    """§6.5: filter_mode=and requires every filter."""
    both = [f"user_{SAM}", f"user_{SUE}"]
    assert subjects(dated.as_(TINA).listing(filter=both, filter_mode="and")) == ["Charlie"]


def test_6_5_section_filter_never_matches(dated: World) -> None:
    """§4.1: section_<id> is accepted by the parser but matches nothing."""
    assert dated.as_(TINA).listing(filter=[f"section_{SECTION_A}"]) == []


@pytest.mark.parametrize("value", ["bogus", "course_999", "user_abc", "group_"])
def test_6_5_unknown_filter_matches_nothing(dated: World, value: str) -> None:
    """§6.5: unrecognised filter values match nothing."""
    assert dated.as_(TINA).listing(filter=[value]) == []


def test_6_5_empty_filter_is_no_filter(dated: World) -> None:
    """§4.1: an empty filter string means no filter."""
    tina = dated.as_(TINA)
    assert tina.ids(filter="") == tina.ids()


@pytest.mark.parametrize("mode", ["xor", "", "AND"])
def test_4_filter_mode_invalid_is_400_array(dated: World, mode: str) -> None:
    """§4: filter_mode other than exactly or/and (even empty) ⇒ 400 array shape."""
    r = dated.as_(TINA).get("conversations", {"filter_mode": mode})
    assert r.status_code == 400
    assert r.json() == [{"attribute": "filter_mode", "message": "invalid"}]


def test_6_5_tags_are_intersected_with_each_users_memberships(world: World) -> None:
    """§6.5: each user's tags are the conversation's contexts intersected with their own:
    Sam is not in CHEM, so a CHEM thread he is in does not match course_CHEM for him."""
    tina, sam = world.as_(TINA), world.as_(SAM)
    conv = tina.create(
        [SAM, CARL], "chem and you", group_conversation=True, context_code=f"course_{CHEM}"
    )
    assert tina.ids(scope="sent", filter=[f"course_{CHEM}"]) == [conv["id"]]
    assert world.as_(CARL).ids(filter=[f"course_{CHEM}"]) == [conv["id"]]
    assert sam.ids(filter=[f"course_{CHEM}"]) == []
    assert sam.ids() == [conv["id"]]


def test_6_5_no_context_tags_with_shared_contexts(tina: Caller, sue: Caller) -> None:
    """§12/§6.5: without any context, rows are tagged with the contexts all participants share."""
    conv = tina.create([SUE], "no context given")
    assert sue.ids(filter=[f"course_{BIO}"]) == [conv["id"]]
    assert sue.listing()[0]["context_name"] == "Biology 101"


def test_4_1_starred_reorders_when_new_mail_touches_the_row(dated: World) -> None:
    """§4.1/§13.12: a new message touches the row, so the starred list re-orders."""
    tina = dated.as_(TINA)
    alpha, bravo = tina.find("Alpha"), tina.find("Bravo")
    tina.update(alpha["id"], starred=True)
    tina.update(bravo["id"], starred=True)
    assert subjects(tina.listing(scope="starred")) == ["Bravo", "Alpha"]
    dated.as_(SAM).reply(alpha["id"], "one more thing")
    assert subjects(tina.listing(scope="starred")) == ["Alpha", "Bravo"]


def test_4_1_sent_needs_a_visible_own_message(tina: Caller, sam: Caller) -> None:
    """§4.1/§2: sent needs a *visible* own message: removing your only own message takes
    the conversation out of sent (it stays in the inbox)."""
    conv = tina.create([SAM], "hi")
    reply = sam.reply(conv["id"], "mine")
    assert sam.ids(scope="sent") == [conv["id"]]
    r = sam.post(
        f"conversations/{conv['id']}/remove_messages", {"remove": [reply["messages"][0]["id"]]}
    )
    assert r.status_code == 200
    assert sam.ids(scope="sent") == []
    assert sam.ids() == [conv["id"]]


def test_3_1_audience_contexts_come_from_the_callers_tags(world: World) -> None:
    """§3.1/§6.5: audience_contexts are built from the caller's own tags: Sam (not in CHEM)
    gets empty maps for a CHEM thread, Carl gets CHEM; context_name is the context's."""
    tina = world.as_(TINA)
    conv = tina.create([SAM, CARL], "chem", group_conversation=True, context_code=f"course_{CHEM}")
    sams = world.as_(SAM).show(conv["id"])
    assert sams["audience_contexts"] == {"courses": {}, "groups": {}}
    assert sams["context_name"] == "Chemistry 150"
    carls = world.as_(CARL).show(conv["id"])
    assert carls["audience_contexts"] == {"courses": {str(CHEM): []}, "groups": {}}


def test_4_1_uuid_filter_and_recipient_forms(dated: World) -> None:
    """§4.1/§4.2 [version: recent]: users may be named uuid:<uuid> as a filter (like user_N)
    and as a recipient."""
    tina = dated.as_(TINA)
    bravo = tina.find("Bravo", include=["uuid"])
    sue_uuid = next(p["uuid"] for p in bravo["participants"] if p["id"] == SUE)
    assert tina.ids(filter=[f"uuid:{sue_uuid}"]) == tina.ids(filter=[f"user_{SUE}"])
    conv = tina.create([f"uuid:{sue_uuid}"], "by uuid", group_conversation=True)
    assert conv["audience"] == [SUE]


@pytest.mark.parametrize(
    "params",
    [{"interleave_submissions": "1"}, {"include_beta": "1"}, {"include": ["uuid"]}],
)
def test_4_1_ignored_and_optional_parameters(dated: World, params: dict) -> None:
    """§4.1: interleave_submissions is ignored; include_beta/include[] never change which
    conversations are listed or their order."""
    tina = dated.as_(TINA)
    assert tina.ids(**params) == tina.ids()
