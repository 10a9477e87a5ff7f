"""Small builders for local records, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from canvas_inbox.store.records import (
    Attachment,
    Conversation,
    MediaComment,
    Message,
    Person,
    Thread,
    WorkflowState,
)

NOW = datetime(2026, 9, 15, 12, 0, tzinfo=UTC)
ME = Person(id=1, name="Sam", full_name="Sam Student")
TEACHER = Person(id=2, name="Jane", full_name="Jane Teacher", pronouns="she/her")
FRIEND = Person(id=3, name="Alex", full_name="Alex Lab")


def at(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


def conv(
    cid: int,
    hours_ago: float | None = 1.0,
    *,
    state: WorkflowState = "read",
    starred: bool = False,
    context_code: str | None = None,
    authored_hours_ago: float | None = None,
    last_author_is_me: bool = False,
    subject: str | None = None,
    last_message: str | None = "hello",
    participants: tuple[Person, ...] = (TEACHER, ME),
) -> Conversation:
    return Conversation(
        id=cid,
        subject=f"Conversation {cid}" if subject is None else subject,
        workflow_state=state,
        starred=starred,
        last_message=last_message if hours_ago is not None else None,
        last_message_at=None if hours_ago is None else at(hours_ago),
        last_authored_message_at=None if authored_hours_ago is None else at(authored_hours_ago),
        message_count=2,
        participants=participants,
        audience=tuple(p.id for p in participants if p != ME),
        context_code=context_code,
        context_name=None,
        last_author_is_me=last_author_is_me,
    )


def message(
    mid: int,
    cid: int,
    body: str,
    *,
    author: Person = TEACHER,
    hours_ago: float = 1.0,
    **extra: object,
) -> Message:
    return Message(
        id=mid,
        conversation_id=cid,
        author_id=author.id,
        created_at=at(hours_ago),
        body=body,
        **extra,  # type: ignore[arg-type]
    )


def rich_thread(cid: int = 40) -> Thread:
    """A thread with everything a message can carry: attachments, a media comment,
    a forward that itself forwards, a generated message, odd text."""
    inner = message(
        901,
        7,
        "The original question about enzymes",
        author=FRIEND,
        hours_ago=90,
        attachments=(
            Attachment(
                id=5,
                display_name="lab.pdf",
                filename="lab.pdf",
                content_type="application/pdf",
                size=1234,
                url="https://canvas.example/files/5/download",
            ),
        ),
    )
    middle = message(
        902,
        8,
        "Forwarding this to you",
        author=TEACHER,
        hours_ago=80,
        forwarded=(inner,),
        participating_user_ids=(2, 3),
    )
    first = message(
        401,
        cid,
        "See below — and the recording\n\nline two\ttabbed",
        author=TEACHER,
        hours_ago=10,
        forwarded=(middle,),
        media_comment=MediaComment(
            media_id="0_abc", media_type="audio", display_name="Voice note", url="https://x/media"
        ),
        participating_user_ids=(1, 2, 3),
    )
    generated = message(
        402,
        cid,
        "Alex was added to the conversation by Jane",
        author=TEACHER,
        hours_ago=9,
        generated=True,
    )
    last = message(
        403,
        cid,
        "Thanks! 🎉 <b>not html</b> \x1b[31m",
        author=ME,
        hours_ago=2,
        attachments=(
            Attachment(id=6, display_name="notes.txt"),
            Attachment(id=7, display_name="photo.jpg", size=99),
        ),
    )
    return Thread(
        conversation=conv(cid, 2, subject="Enzymes lab", participants=(ME, TEACHER, FRIEND)),
        messages=(first, generated, last),
    )
