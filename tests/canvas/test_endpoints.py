"""Each method sends what Canvas expects and hides its endpoint's pitfall (§13)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from canvas_inbox.canvas import (
    USER_AGENT,
    CanvasClient,
    UnexpectedResponse,
)
from tests.canvas import samples
from tests.canvas.fakes import TOKEN, FakeCanvas, form, json_response


async def test_headers_user_agent_accept_and_token_only_in_authorization(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/users/self"] = json_response({"id": 1, "name": "Jane"})
    user = await client.get_self()
    (request,) = canvas.requests
    assert user.id == 1
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("canvas-inbox/0.")
    assert TOKEN not in str(request.url)


async def test_create_sends_arrays_and_booleans_as_canvas_reads_them(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    created = samples.conversation(
        41, visible=False, last_message_at=None, messages=[samples.message(9, 1)]
    )
    canvas.routes["POST /api/v1/conversations"] = json_response([created], 201)

    result = await client.create_conversation(
        ["2", 3, "course_12_students"],
        "Hello",
        subject="Lab",
        group_conversation=True,
        attachment_ids=[55],
        context_code="course_12",
        media_comment_id="m-1",
        media_comment_type="audio",
        forwarded_message_ids=[7],
    )

    pairs = form(canvas.requests[0])
    assert [v for k, v in pairs if k == "recipients[]"] == ["2", "3", "course_12_students"]
    assert ("group_conversation", "true") in pairs
    assert ("bulk_message", "false") in pairs
    assert ("force_new", "false") in pairs
    assert ("mode", "sync") in pairs
    assert ("attachment_ids[]", "55") in pairs
    assert ("forwarded_message_ids[]", "7") in pairs
    assert ("context_code", "course_12") in pairs
    assert ("media_comment_type", "audio") in pairs
    assert not result.queued
    assert [c.id for c in result.conversations] == [41]
    assert result.conversations[0].visible is False  # §13.2: not in the sender's inbox


async def test_bulk_create_gives_every_conversation_without_messages(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response(
        [samples.conversation(i) for i in (51, 52, 53)], 201
    )
    result = await client.create_conversation([2, 3, 4], "Hi each")
    assert [c.id for c in result.conversations] == [51, 52, 53]
    assert all(c.messages is None for c in result.conversations)


async def test_async_create_202_gives_the_batch_id(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response(
        [], 202, {"X-Conversation-Batch-Id": "17"}
    )
    result = await client.create_conversation([2, 3], "Hi", mode="async")
    assert result.queued
    assert result.batch_id == 17
    assert result.conversations == []
    assert ("mode", "async") in form(canvas.requests[0])


async def test_async_create_without_batch_header_is_unexpected(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response([], 202)
    with pytest.raises(UnexpectedResponse):
        await client.create_conversation([2, 3], "Hi", mode="async")


async def test_unread_count_string_becomes_int(canvas: FakeCanvas, client: CanvasClient) -> None:
    canvas.routes["GET /api/v1/conversations/unread_count"] = json_response({"unread_count": "7"})
    assert await client.unread_count() == 7


async def test_get_conversation_never_marks_read_unless_asked(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations/41"] = json_response(samples.conversation(41))
    await client.get_conversation(41)
    await client.get_conversation("41", auto_mark_as_read=True, scope="unread")
    first, second = (form(r) for r in canvas.requests)
    assert ("auto_mark_as_read", "false") in first
    assert ("auto_mark_as_read", "true") in second
    assert ("scope", "unread") in second


async def test_conversation_ids_reads_the_object_shape(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations"] = json_response(
        {"conversations": [samples.conversation(9)], "conversation_ids": [9, 8, 7, 3]}
    )
    ids = await client.conversation_ids(scope="archived", filter=["course_12"], per_page=1)
    assert ids.conversation_ids == [9, 8, 7, 3]
    assert [c.id for c in ids.conversations] == [9]
    pairs = form(canvas.requests[0])
    assert ("include_all_conversation_ids", "true") in pairs
    assert ("filter[]", "course_12") in pairs
    assert ("scope", "archived") in pairs


async def test_list_sends_filters_mode_and_per_page(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations"] = json_response([])
    await client.list_conversations(
        scope="starred",
        filter=["course_12", "user_5"],
        filter_mode="and",
        include=["participant_avatars"],
    )
    pairs = form(canvas.requests[0])
    assert [v for k, v in pairs if k == "filter[]"] == ["course_12", "user_5"]
    assert ("filter_mode", "and") in pairs
    assert ("per_page", "100") in pairs
    assert ("include[]", "participant_avatars") in pairs


async def test_update_nests_fields_under_conversation(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["PUT /api/v1/conversations/41"] = json_response(
        samples.conversation(41, starred=True, workflow_state="archived", visible=False)
    )
    updated = await client.update_conversation(41, starred=True, workflow_state="archived")
    pairs = form(canvas.requests[0])
    assert ("conversation[starred]", "true") in pairs
    assert ("conversation[workflow_state]", "archived") in pairs
    assert not any(k == "conversation[subscribed]" for k, _ in pairs)  # omitted: left alone
    assert updated.starred
    assert updated.workflow_state == "archived"


async def test_update_with_nothing_to_change_is_refused_locally(client: CanvasClient) -> None:
    with pytest.raises(ValueError, match="needs"):
        await client.update_conversation(41)


@pytest.mark.parametrize(
    "answer",
    [
        json_response([], 202),
        json_response(samples.conversation(41, messages=[samples.message(0, 1, "queued")]), 202),
    ],
    ids=["older-empty-list", "newer-placeholder-id-0"],
)
async def test_add_message_202_means_queued(
    canvas: FakeCanvas, client: CanvasClient, answer: httpx.Response
) -> None:
    canvas.routes["POST /api/v1/conversations/41/add_message"] = answer
    assert await client.add_message(41, "Thanks") is None


async def test_add_message_reply_to_some_and_forward(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations/41/add_message"] = json_response(
        samples.conversation(41, messages=[samples.message(12, 1, "Thanks")])
    )
    conversation = await client.add_message(41, "Thanks", recipients=[2], included_messages=[5, 6])
    assert conversation is not None
    assert conversation.messages is not None
    assert conversation.messages[0].id == 12
    pairs = form(canvas.requests[0])
    assert ("recipients[]", "2") in pairs
    assert [v for k, v in pairs if k == "included_messages[]"] == ["5", "6"]


async def test_add_message_reply_all_sends_no_recipients(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations/41/add_message"] = json_response(
        samples.conversation(41, messages=[samples.message(12, 1)])
    )
    await client.add_message(41, "To everyone")
    assert not any(k.startswith("recipients") for k, _ in form(canvas.requests[0]))


async def test_batch_update_gives_progress_and_wait_polls_to_the_end(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["PUT /api/v1/conversations"] = json_response(samples.progress(9))
    canvas.routes["GET /api/v1/progress/9"] = [
        json_response(samples.progress(9, "running")),
        json_response(
            samples.progress(
                9, "completed", "2 conversations processed\nThe user is not participating: 77"
            )
        ),
    ]
    progress = await client.batch_update([1, 2, 77], "archive")
    assert progress.workflow_state == "queued"
    assert not progress.done
    pairs = form(canvas.requests[0])
    assert [v for k, v in pairs if k == "conversation_ids[]"] == ["1", "2", "77"]
    assert ("event", "archive") in pairs

    final = await client.wait_for_progress(progress, interval=0)
    assert final.done
    assert not final.failed
    assert final.message is not None
    assert "77" in final.message
    assert canvas.paths().count("GET /api/v1/progress/9") == 2


async def test_wait_for_progress_gives_up_after_its_timeout(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/progress/9"] = json_response(samples.progress(9, "running"))
    from canvas_inbox.canvas import Progress

    final = await client.wait_for_progress(Progress(id=9), interval=0.01, timeout=0.05)
    assert not final.done


async def test_remaining_endpoints_hit_their_routes(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    conv = json_response(samples.conversation(41))
    canvas.routes.update(
        {
            "POST /api/v1/conversations/mark_all_as_read": json_response({}),
            "DELETE /api/v1/conversations/41": conv,
            "POST /api/v1/conversations/41/add_recipients": conv,
            "POST /api/v1/conversations/41/remove_messages": conv,
            "GET /api/v1/conversations/batches": json_response(
                [
                    {
                        "id": 1,
                        "workflow_state": "sending",
                        "completion": 0.5,
                        "recipient_count": 3,
                        "message": samples.message(0, 1, participating_user_ids=[]),
                        "tags": ["course_12"],
                    }
                ]
            ),
            "GET /api/v1/users/self/profile": json_response(
                {"id": 1, "name": "Jane", "primary_email": "j@example.edu", "pronouns": "she/her"}
            ),
            "GET /api/v1/courses": json_response(
                [
                    {
                        "id": 12,
                        "name": "Biology",
                        "course_code": "BIO",
                        "workflow_state": "available",
                        "enrollments": [
                            {
                                "type": "teacher",
                                "role": "TeacherEnrollment",
                                "user_id": 1,
                                "enrollment_state": "active",
                            }
                        ],
                    },
                    {"id": 13, "access_restricted_by_date": True},
                ]
            ),
            "GET /api/v1/users/self/groups": json_response(
                [{"id": 3, "name": "Lab", "course_id": 12, "members_count": 2}]
            ),
            "GET /api/v1/files/8": json_response(samples.attachment(8)),
        }
    )
    await client.mark_all_as_read()
    assert (await client.delete_conversation(41)).id == 41
    assert (await client.add_recipients(41, ["5", "group_3"])).id == 41
    assert (await client.remove_messages(41, [5, 6])).id == 41
    (batch,) = await client.list_batches()
    assert batch.completion == 0.5
    assert batch.message is not None
    assert (await client.get_profile()).pronouns == "she/her"
    courses = await client.list_courses(state=["available", "completed"])
    assert courses[0].enrollments[0].role == "TeacherEnrollment"
    assert courses[0].code == "course_12"
    assert courses[1].access_restricted_by_date
    (group,) = await client.list_groups()
    assert group.code == "group_3"
    assert (await client.get_file(8)).display_name == "notes.pdf"

    by_path = {f"{r.method} {r.url.path}": form(r) for r in canvas.requests}
    assert by_path["POST /api/v1/conversations/41/add_recipients"] == [
        ("recipients[]", "5"),
        ("recipients[]", "group_3"),
    ]
    assert by_path["POST /api/v1/conversations/41/remove_messages"] == [
        ("remove[]", "5"),
        ("remove[]", "6"),
    ]
    assert ("state[]", "completed") in by_path["GET /api/v1/courses"]


async def test_search_recipients_parameters(canvas: FakeCanvas, client: CanvasClient) -> None:
    canvas.routes["GET /api/v1/search/recipients"] = json_response([])
    await client.search_recipients(
        search="bo",
        context="course_12",
        exclude=[1, "group_3"],
        types=["user", "course"],
        permissions=["send_messages"],
        per_page=20,
    )
    pairs = form(canvas.requests[0])
    assert [v for k, v in pairs if k == "exclude[]"] == ["1", "group_3"]
    assert [v for k, v in pairs if k == "types[]"] == ["user", "course"]
    assert ("permissions[]", "send_messages") in pairs
    assert ("per_page", "20") in pairs


def test_ids_that_are_not_ids_are_refused() -> None:
    from canvas_inbox.canvas._base import _id

    with pytest.raises(ValueError, match="not a Canvas id"):
        _id("../users/self")


async def test_remove_messages_needs_ids(client: CanvasClient) -> None:
    with pytest.raises(ValueError, match="at least one message"):
        await client.remove_messages(41, [])


async def test_upload_attachment_three_steps_on_the_same_host(
    canvas: FakeCanvas, client: CanvasClient, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    canvas.routes["POST /api/v1/users/self/files"] = json_response(
        {
            "upload_url": "https://school.example.edu/files_api/upload",
            "upload_params": {"filename": "notes.txt", "content_type": "text/plain", "key": "k/1"},
        }
    )
    canvas.routes["POST /files_api/upload"] = httpx.Response(
        302, headers={"location": "https://school.example.edu/api/v1/files/8/create_success?uuid=x"}
    )
    canvas.routes["GET /api/v1/files/8/create_success"] = json_response(samples.attachment(8))

    file = await client.upload_attachment(path)

    assert file.id == 8
    step1, step2, step3 = canvas.requests
    assert ("parent_folder_path", "conversation attachments") in form(step1)
    assert ("size", "5") in form(step1)
    assert ("content_type", "text/plain") in form(step1)
    assert "authorization" not in step2.headers  # never with the upload, even at home
    body = step2.content.decode()
    assert body.index('name="key"') < body.index('name="file"')  # file last
    assert body.rstrip().endswith("--")
    assert "hello" in body
    assert step3.headers["authorization"] == f"Bearer {TOKEN}"


async def test_upload_201_with_the_file_needs_no_third_step(
    canvas: FakeCanvas, client: CanvasClient, tmp_path: Path
) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    canvas.routes["POST /api/v1/users/self/files"] = json_response(
        {"upload_url": "https://school.example.edu/up", "upload_params": {}}
    )
    canvas.routes["POST /up"] = json_response(samples.attachment(8), 201)
    assert (await client.upload_attachment(path)).id == 8
    assert len(canvas.requests) == 2


async def test_upload_of_a_missing_file_is_one_line(client: CanvasClient, tmp_path: Path) -> None:
    from canvas_inbox.canvas import CanvasError

    with pytest.raises(CanvasError, match=r"cannot read nope\.txt"):
        await client.upload_attachment(tmp_path / "nope.txt")


async def test_upload_201_with_only_a_location_is_followed_home(
    canvas: FakeCanvas, client: CanvasClient, tmp_path: Path
) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    canvas.routes["POST /api/v1/users/self/files"] = json_response(
        {"upload_url": "https://inst-fs.example.com/upload", "upload_params": {}}
    )
    canvas.routes["POST https://inst-fs.example.com/upload"] = json_response(
        {"location": "https://school.example.edu/api/v1/files/8?include=avatar", "uuid": "x"}, 201
    )
    canvas.routes["GET /api/v1/files/8"] = json_response(samples.attachment(8))
    assert (await client.upload_attachment(path)).id == 8
    step2, step3 = canvas.requests[1:]
    assert "authorization" not in step2.headers
    assert step3.headers["authorization"] == f"Bearer {TOKEN}"


async def test_find_recipients_is_the_deprecated_alias(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["GET /api/v1/conversations/find_recipients"] = json_response(
        [{"id": "5", "name": "bob"}]
    )
    (bob,) = await client.find_recipients(search="bo", types=["user"])
    assert bob.id == 5
    assert ("types[]", "user") in form(canvas.requests[0])
    with pytest.raises(TypeError):
        await client.find_recipients(serch="typo")
