"""§1 conventions and §9 errors/authentication, over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.conftest import World
from tests.sandbox.seeds import NO_SUCH_CONVERSATION, SAM, STAN, SUE, TINA
from tests.sandbox.spec_http import ISO_Z, NOT_FOUND, Caller

TRUE_WORDS = ["1", "true", "yes", "on"]
FALSE_WORDS = ["0", "false", "no", "off", "wat", "", "t", "y"]


# ---- §1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("word", TRUE_WORDS)
def test_1_boolean_true_words(tina: Caller, word: str) -> None:
    """§1: 1/true/yes/on are true: group_conversation makes a non-private conversation."""
    conv = tina.create([SAM], group_conversation=word)
    assert conv["private"] is False


@pytest.mark.parametrize("word", FALSE_WORDS)
def test_1_boolean_false_words_including_wat(tina: Caller, word: str) -> None:
    """§1: 0/false/no/off/empty and any other word (wat) are false: a private conversation."""
    conv = tina.create([SAM], group_conversation=word)
    assert conv["private"] is True


def test_1_boolean_absent_is_false(tina: Caller) -> None:
    """§1: an absent boolean is false (group_conversation default false ⇒ private)."""
    assert tina.create([SAM])["private"] is True


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    word=st.one_of(
        st.sampled_from([*TRUE_WORDS, *FALSE_WORDS, "True", "YES", "On", "FALSE"]),
        st.text(alphabet="abcdefilnorstuwyAEFNORSTUY_-.", max_size=8),
    )
)
def test_1_boolean_parsing_property(tina: Caller, word: str) -> None:
    """§1 (property): 1/true/yes/on (in any case: Canvas downcases) read as true; any other
    word reads as false. (Other digit strings are left out: the spec only names 0 and 1.)"""
    conv = tina.create([SAM], group_conversation=word)
    assert conv["private"] is (word.lower() not in TRUE_WORDS)


def test_1_recipients_comma_string_is_split(tina: Caller) -> None:
    """§1: recipients may be one comma-separated string."""
    r = tina.post(
        "conversations",
        {"recipients": f"{SAM},{SUE}", "body": "hi", "group_conversation": "true"},
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()[0]["audience"]) == [SAM, SUE]


def test_1_json_body_is_accepted(tina: Caller) -> None:
    """§1: requests may be JSON bodies (arrays as JSON arrays, booleans as JSON booleans)."""
    r = tina.post(
        "conversations",
        json={"recipients": [str(SAM), str(SUE)], "body": "hi", "group_conversation": True},
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()[0]["audience"]) == [SAM, SUE]


def test_1_query_string_parameters_are_accepted(tina: Caller) -> None:
    """§1: parameters may come in the query string, even on a POST."""
    r = tina.post("conversations", params={"recipients": [SAM], "body": "from the query"})
    assert r.status_code == 201, r.text
    assert r.json()[0]["last_authored_message"] == "from the query"


def test_1_unknown_scope_means_inbox(world: World, tina: Caller, sam: Caller) -> None:
    """§1/§4.1: an unknown scope silently means the inbox."""
    first = tina.create([SAM], "one", group_conversation=True)
    second = tina.create([SAM], "two", group_conversation=True)
    sam.update(first["id"], workflow_state="archived")
    assert sam.ids(scope="bogus") == sam.ids() == [second["id"]]


def test_1_string_ids_header_stringifies_ids(tina: Caller, sam: Caller) -> None:
    """§1: Accept: application/json+canvas-string-ids stringifies ids (audience included)."""
    conv = tina.create([SAM], "hi")
    r = sam.get(
        f"conversations/{conv['id']}",
        {"auto_mark_as_read": "false"},
        headers={"Accept": "application/json+canvas-string-ids"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == str(conv["id"])
    assert body["audience"] == [str(TINA)]
    assert {p["id"] for p in body["participants"]} == {str(TINA), str(SAM)}
    plain = sam.show(conv["id"])
    assert plain["audience"] == [TINA]
    assert plain["id"] == conv["id"]


def test_1_conversation_id_is_the_same_for_every_participant(tina: Caller, sam: Caller) -> None:
    """§1: id in every payload is the conversation id, never the participant row id."""
    conv = tina.create([SAM], "hi", group_conversation=True)
    assert sam.ids() == [conv["id"]]
    assert sam.show(conv["id"])["id"] == conv["id"]


def test_1_timestamps_are_utc_seconds_z(tina: Caller, sam: Caller) -> None:
    """§1: timestamps are ISO-8601 UTC, seconds precision, Z suffix; null when absent."""
    conv = tina.create([SAM], "hi")
    assert conv["last_message_at"] is None
    assert ISO_Z.match(conv["messages"][0]["created_at"])
    seen = sam.listing()[0]
    assert ISO_Z.match(seen["last_message_at"])


# ---- §9 authentication --------------------------------------------------------------------


def test_9_no_credentials_is_401_with_challenge(world: World) -> None:
    """§9: no credentials ⇒ 401, WWW-Authenticate: Bearer realm="canvas-lms", exact body."""
    r = world.anonymous().get("conversations")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'
    assert r.json() == {
        "status": "unauthenticated",
        "errors": [{"message": "user authorization required"}],
    }


@pytest.mark.parametrize("path", ["conversations/unread_count", "users/self", "search/recipients"])
def test_9_invalid_token_is_401(world: World, path: str) -> None:
    """§9: an invalid token ⇒ 401, the challenge header, "Invalid access token."."""
    r = world.anonymous("not-a-real-token").get(path)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'
    assert r.json() == {"errors": [{"message": "Invalid access token."}]}


def test_9_access_token_query_parameter_authenticates(world: World) -> None:
    """§1/§9: access_token= in the query string works like the Bearer header."""
    r = world.anonymous().get(
        "conversations/unread_count", {"access_token": world.sandbox.token(SAM)}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"unread_count": "0"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "conversations/{id}"),
        ("PUT", "conversations/{id}"),
        ("DELETE", "conversations/{id}"),
        ("POST", "conversations/{id}/add_recipients"),
        ("POST", "conversations/{id}/add_message"),
        ("POST", "conversations/{id}/remove_messages"),
    ],
)
def test_4_common_lookup_non_participant_is_404(
    tina: Caller, stan: Caller, method: str, path: str
) -> None:
    """§4 common lookup / §9: a conversation the caller is not in ⇒ 404, exact body."""
    conv = tina.create([SAM, SUE], "private to them", group_conversation=True)
    data = {
        "body": "x",
        "recipients": [STAN],
        "remove": [conv["messages"][0]["id"]],
        "conversation[workflow_state]": "read",
    }
    r = stan.http.request(
        method, path.format(id=conv["id"]), data=data if method in {"POST", "PUT"} else None
    )
    assert r.status_code == 404, r.text
    assert r.json() == NOT_FOUND


@pytest.mark.parametrize("cid", [str(NO_SUCH_CONVERSATION), "abc", "0", "-1"])
def test_9_unknown_conversation_id_is_404(sam: Caller, cid: str) -> None:
    """§9: unknown (or non-numeric) ids ⇒ 404 {"errors":[{"message":...}]}."""
    r = sam.get(f"conversations/{cid}")
    assert r.status_code == 404, r.text
    assert r.json() == NOT_FOUND


# ---- bad input never gives a 500 (issue 2, §9) -------------------------------------------


def _is_canvas_error(r: httpx.Response) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert "Traceback" not in r.text
    json.loads(r.text)  # a Canvas answer is JSON


def test_9_recipients_as_json_object_gets_a_canvas_answer(tina: Caller) -> None:
    """Wrong type: recipients as a JSON object (Rails would see a hash) is either read as
    its values (201) or refused with the recipients error shape (400); never a 500."""
    r = tina.post("conversations", json={"recipients": {"a": str(SAM)}, "body": "hi"})
    assert r.status_code in {201, 400}, r.text
    assert "Traceback" not in r.text
    if r.status_code == 400:
        assert r.json() == [{"attribute": "recipients", "message": "invalid"}]
    else:
        assert r.json()[0]["audience"] == [SAM]


def test_4_2_non_string_recipient_entry_is_invalid(tina: Caller) -> None:
    """§4.2 step 7: a recipient entry that is not a string ⇒ recipients/invalid."""
    r = tina.post("conversations", json={"recipients": [[str(SAM)]], "body": "hi"})
    assert r.status_code == 400, r.text
    assert r.json() == [{"attribute": "recipients", "message": "invalid"}]


def test_9_body_as_number_gets_a_canvas_answer(tina: Caller) -> None:
    """Wrong type: a numeric body is either taken as text (201) or refused (400), never a 500."""
    r = tina.post("conversations", json={"recipients": [str(SAM)], "body": 5})
    assert r.status_code in {201, 400}, r.text
    if r.status_code == 201:
        assert r.json()[0]["messages"][0]["body"] == "5"


def test_9_malformed_json_is_400(tina: Caller) -> None:
    """Malformed JSON gets a 400 JSON answer, never a 500 with a traceback."""
    r = tina.post(
        "conversations",
        content=b'{"recipients": ["3", "body": ',
        headers={"Content-Type": "application/json"},
    )
    _is_canvas_error(r)
    assert r.status_code == 400


def test_9_json_that_is_not_an_object_is_refused(tina: Caller) -> None:
    """A JSON array as the whole body gets a Canvas 4xx answer."""
    r = tina.post(
        "conversations", content=b"[1, 2, 3]", headers={"Content-Type": "application/json"}
    )
    _is_canvas_error(r)


def test_9_malformed_form_data_gets_a_canvas_answer(tina: Caller) -> None:
    """Broken percent-encoding in a form body gets a Canvas answer, not a 500."""
    r = tina.post(
        "conversations",
        content=b"recipients%5B%5D=%ZZ&body=%E2%28%A1&&&==",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code < 500, r.text
    assert "Traceback" not in r.text


def test_3_3_body_over_canvas_text_limit_is_refused(tina: Caller, sam: Caller) -> None:
    """§3.3: bodies longer than ~64 KB are rejected (4xx), and nothing is delivered."""
    r = tina.post("conversations", {"recipients": [SAM], "body": "x" * 70_000})
    _is_canvas_error(r)
    assert sam.listing() == []
    assert tina.listing(scope="sent") == []


def test_9_huge_request_is_refused_without_500(tina: Caller) -> None:
    """A multi-megabyte request body is refused with a 4xx, never a crash."""
    r = tina.post(
        "conversations",
        content=b'{"recipients": ["3"], "body": "' + b"y" * 12_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.status_code
    assert "Traceback" not in r.text


def test_9_update_without_conversation_object(tina: Caller) -> None:
    """§9/§4.5: PUT without the conversation object ⇒ 400 conversation is missing."""
    conv = tina.create([SAM], group_conversation=True)
    r = tina.put(f"conversations/{conv['id']}", {"starred": "true"})
    assert r.status_code == 400, r.text
    assert r.json() == {"errors": [{"message": "conversation is missing"}]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "users/self"),
        ("POST", "conversations"),
        ("PUT", "conversations"),
        ("GET", "conversations/1"),
        ("GET", "progress/1"),
        ("GET", "search/recipients"),
        ("POST", "users/self/files"),
    ],
)
def test_9_every_api_route_needs_credentials(world: World, method: str, path: str) -> None:
    """§9: every API call without credentials is 401 unauthenticated with the challenge."""
    r = world.anonymous().http.request(method, path)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="canvas-lms"'
    assert r.json()["status"] == "unauthenticated"


def test_9_invalid_token_creates_nothing(world: World, sam: Caller) -> None:
    """§9: a request with an invalid token has no effect."""
    r = world.anonymous("token-nobody").post("conversations", {"recipients": [SAM], "body": "x"})
    assert r.status_code == 401
    assert sam.listing() == []


def test_1_bodies_are_json(sam: Caller) -> None:
    """§1: all bodies are JSON (Content-Type application/json)."""
    for path in ("conversations", "conversations/unread_count", "search/recipients"):
        r = sam.get(path)
        assert r.headers["Content-Type"].startswith("application/json"), path


def test_9_token_responses_carry_request_cost(sam: Caller) -> None:
    """§9: every token-authenticated response carries X-Request-Cost (a float); without
    throttling there is no X-Rate-Limit-Remaining."""
    for r in (sam.get("conversations"), sam.get(f"conversations/{NO_SUCH_CONVERSATION}")):
        assert float(r.headers["X-Request-Cost"]) >= 0
        assert "X-Rate-Limit-Remaining" not in r.headers
