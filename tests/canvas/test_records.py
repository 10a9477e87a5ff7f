"""Wire records decode both server versions, unknown fields, and Canvas's odd shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from canvas_inbox.canvas import CanvasClient, Conversation, UnexpectedResponse
from tests.canvas import samples
from tests.canvas.fakes import FakeCanvas, json_response


async def test_recent_conversation_decodes_with_messages_and_files(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    forwarded = samples.message(2, 3, "original", attachments=[samples.attachment(9)])
    body = samples.conversation(
        41,
        messages=[
            samples.message(
                5,
                2,
                "see attached",
                attachments=[samples.attachment(8, url_tail="location=conversation_message_5")],
                media_comment={
                    "content-type": "audio/mp4",
                    "display_name": "note",
                    "media_id": "0_abc",
                    "media_type": "audio",
                    "url": "https://school.example.edu/users/1/media_download?entryId=0_abc",
                },
                forwarded_messages=[forwarded],
            )
        ],
        submissions=[],
        cannot_reply=True,
        some_future_field={"nested": [1, 2]},
    )
    canvas.routes["GET /api/v1/conversations/41"] = json_response(body)

    conversation = await client.get_conversation(41)

    assert conversation.id == 41
    assert conversation.last_message_at == datetime(2026, 9, 1, 10, tzinfo=UTC)
    assert conversation.cannot_reply is True
    assert conversation.has_attachments
    assert not conversation.has_media_objects
    assert conversation.audience_contexts.courses == {"12": ["StudentEnrollment"]}
    assert conversation.messages is not None
    (only,) = conversation.messages
    assert only.attachments[0].content_type == "application/pdf"
    assert "location=conversation_message_5" in only.attachments[0].url
    assert only.media_comment is not None
    assert only.media_comment.media_type == "audio"
    assert only.media_comment.content_type == "audio/mp4"
    assert only.forwarded_messages[0].body == "original"
    assert only.forwarded_messages[0].attachments[0].id == 9


async def test_old_server_shape_string_ids_null_starred_no_pronouns(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations"] = json_response([samples.old_conversation(7)])

    (conversation,) = await client.list_conversations()

    assert conversation.id == 7
    assert conversation.starred is False
    assert conversation.audience == [2]
    assert [p.id for p in conversation.participants] == [1, 2]
    assert conversation.participants[0].pronouns is None
    assert conversation.context_name is None
    assert conversation.messages is None  # index has no messages key


async def test_a_wrong_shape_is_unexpected_not_a_crash(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations"] = json_response({"hello": "world"})
    with pytest.raises(UnexpectedResponse) as caught:
        await client.list_conversations()
    assert "\n" not in str(caught.value)


async def test_html_answer_is_unexpected(canvas: FakeCanvas, client: CanvasClient) -> None:
    import httpx

    canvas.routes["GET /api/v1/users/self"] = httpx.Response(
        200,
        text="<html><body>Welcome to our blog</body></html>",
        headers={"content-type": "text/html"},
    )
    with pytest.raises(UnexpectedResponse, match="not Canvas"):
        await client.get_self()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {
                "id": 5,
                "name": "bob",
                "full_name": "bob smith",
                "common_courses": {"12": ["StudentEnrollment"]},
            },
            5,
        ),
        ({"id": "5", "name": "bob"}, 5),
        (
            {"id": "course_12_students", "name": "Students", "type": "context", "user_count": 6},
            "course_12_students",
        ),
    ],
)
async def test_recipient_ids_settle_on_int_for_users(
    canvas: FakeCanvas, client: CanvasClient, raw: dict[str, Any], expected: int | str
) -> None:
    canvas.routes["GET /api/v1/search/recipients"] = json_response([raw])
    (result,) = await client.search_recipients(search="bob")
    assert result.id == expected
    assert result.is_context == isinstance(expected, str)
    assert result.recipient_id == str(expected)


def test_deleted_conversation_shape_decodes() -> None:
    import msgspec

    data = samples.conversation(
        3,
        last_message=None,
        last_message_at=None,
        message_count=0,
        properties=[],
        visible=False,
        audience_contexts={"courses": {}, "groups": {}},
    )
    conversation = msgspec.json.decode(msgspec.json.encode(data), type=Conversation, strict=False)
    assert conversation.visible is False
    assert conversation.last_message_at is None


def test_a_locked_attachment_with_nulls_decodes() -> None:
    import msgspec

    from canvas_inbox.canvas import Message

    raw = samples.message(
        4, 2, attachments=[{"id": "8", "url": None, "size": None, "locked_for_user": True}]
    )
    message = msgspec.json.decode(msgspec.json.encode(raw), type=Message, strict=False)
    (file,) = message.attachments
    assert file.id == 8
    assert file.url is None
    assert file.locked_for_user
