"""Making drafts: new, reply, reply all, forward; and what a draft says about itself.

Canvas quotes nothing in replies (the thread is the context), so a reply's body starts
empty; a forward carries the chosen messages as included messages, not pasted text.
Pure functions over records: no Textual, so they are easy to test on their own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import msgspec

from canvas_inbox.service import Context, Draft, OutboxItem, Person, Recipient, Thread
from canvas_inbox.ui.safe_text import one_line

SUBJECT_LIMIT = 255  # Canvas refuses longer subjects


def _new_id() -> str:
    return uuid.uuid4().hex


def new_draft(context_code: str | None = None) -> Draft:
    return Draft(id=_new_id(), kind="new", context_code=context_code)


def person_recipient(person: Person) -> Recipient:
    return Recipient(id=str(person.id), name=person.name, kind="user")


def reply_draft(thread: Thread, me: Person | None, reply_all: bool) -> Draft:
    """Reply goes to whoever wrote last (not me); reply all to everyone else in it.

    Canvas makes "reply" versus "reply all" purely the client's choice of recipients
    (add_message with ``recipients[]``), so both are spelled out here and shown in the To
    field, where the user can still change them."""
    conversation = thread.conversation
    my_id = me.id if me is not None else None
    people = {p.id: p for p in conversation.participants}
    audience = [people[i] for i in conversation.audience if i in people and i != my_id]
    if not audience:
        audience = [p for p in conversation.participants if p.id != my_id]
    chosen = audience
    if not reply_all:
        last_other = next(
            (m.author_id for m in reversed(thread.messages) if m.author_id != my_id), None
        )
        if last_other is not None and last_other in people:
            chosen = [people[last_other]]
        else:
            chosen = audience[:1]
    return Draft(
        id=_new_id(),
        kind="reply_all" if reply_all else "reply",
        conversation_id=conversation.id,
        recipients=tuple(person_recipient(p) for p in chosen),
        subject=conversation.subject or "",
        context_code=conversation.context_code,
    )


def forward_draft(thread: Thread, message_ids: Sequence[int]) -> Draft:
    """A forward: new recipients, the chosen messages carried whole (Canvas includes them
    as forwarded messages; nothing is pasted into the body)."""
    conversation = thread.conversation
    subject = conversation.subject or ""
    if subject and not subject.lower().startswith(("fwd:", "fw:")):
        subject = f"Fwd: {subject}"
    return Draft(
        id=_new_id(),
        kind="forward",
        conversation_id=conversation.id,
        subject=subject[:SUBJECT_LIMIT],
        context_code=conversation.context_code,
        included_message_ids=tuple(message_ids),
    )


def is_reply(draft: Draft) -> bool:
    return draft.kind in ("reply", "reply_all")


def reply_refusal(thread: Thread | None, contexts: Sequence[Context]) -> str | None:
    """Why a reply cannot be written here, in one line; None when it can."""
    if thread is None:
        return "Open a conversation first."
    conversation = thread.conversation
    context = next((c for c in contexts if c.code == conversation.context_code), None)
    if context is not None and context.concluded:
        name = context.name or "This course"
        return f"{name} has concluded: Canvas no longer takes replies there."
    if conversation.cannot_reply:
        return "Replies are closed in this conversation (Canvas says you cannot reply)."
    return None


def same_content(a: Draft, b: Draft) -> bool:
    """Equal apart from when they were saved: has the user changed anything?"""
    return msgspec.structs.replace(a, updated_at=None) == msgspec.structs.replace(
        b, updated_at=None
    )


def discard_question(draft: Draft, item: OutboxItem | None, *, from_outbox: bool) -> str:
    """The question before a draft or an unsent message is thrown away. A send of unknown
    outcome may have reached Canvas, so that question never reads as "it was not sent"."""
    subject = one_line(draft.subject) or "(no subject)"
    if item is not None and item.state == "unknown":
        return (
            f"“{subject}” may already have been sent: Canvas never answered its last try. "
            "Discarding deletes it here (draft and outbox copy) but cannot unsend it; "
            "check Sent. Discard it?"
        )
    if from_outbox:
        return f"Discard “{subject}”? It was not sent; the message and its draft go."
    if item is not None:
        return f"Discard the draft “{subject}” and its unsent copy in the outbox?"
    return f"Discard the draft “{subject}”? What you wrote here is deleted."


def problems(draft: Draft) -> list[str]:
    """What stops a draft from being sent, as lines for the user."""
    found = []
    if not draft.recipients:
        found.append("Add at least one recipient.")
    if not draft.body.strip():
        found.append("Write a message: Canvas refuses an empty body.")
    if len(draft.subject) > SUBJECT_LIMIT:
        found.append(f"The subject is longer than {SUBJECT_LIMIT} characters.")
    return found


# A role or folder inside a course or group: course_12_students, group_3_sections…
_INSIDE = re.compile(r"^((?:course|group|section)_\d+)_[a-z_]+$")
# Folders Canvas lets you open, not send to: they list sections or groups.
FOLDER_SUFFIXES = ("_sections", "_groups")


def is_folder(recipient: Recipient) -> bool:
    return recipient.kind == "context" and recipient.id.endswith(FOLDER_SUFFIXES)


def recipient_name(recipient: Recipient, contexts: Sequence[Context] = ()) -> str:
    """Canvas names a role target inside a course just "Students": say whose."""
    match = _INSIDE.match(recipient.id) if recipient.kind == "context" else None
    if match:
        context = next((c for c in contexts if c.code == match.group(1)), None)
        if context is not None and context.name not in recipient.name:
            return f"{recipient.name} in {context.name}"
    return recipient.name


def recipient_label(recipient: Recipient, contexts: Sequence[Context] = ()) -> str:
    """How a chosen recipient reads in the review: context targets say how many."""
    name = recipient_name(recipient, contexts)
    if recipient.kind == "context" and recipient.user_count is not None:
        people = "person" if recipient.user_count == 1 else "people"
        return f"{name} ({recipient.user_count} {people})"
    return name


def several_people(draft: Draft) -> bool:
    """True when Canvas could make one conversation or one per person: the moment the
    "send individual messages" choice means something."""
    if len(draft.recipients) > 1:
        return True
    return any(r.kind == "context" and (r.user_count or 2) > 1 for r in draft.recipients)
