"""Wire records: Canvas's JSON, typed, exactly as the endpoints send it.

msgspec (not pydantic, not dataclasses + manual parsing): it decodes JSON bytes straight
into Structs about ten times faster than pydantic and imports in ~5 ms (pydantic-core
takes ~60 ms), and start-up time and sync speed are both things this app is judged on.

Every record tolerates what differs between Canvas versions (see the spec's [version]
marks): unknown fields are ignored, optional fields have defaults, and responses are
decoded in msgspec's lax mode, so ids sent as strings (``"5"``, the
``application/json+canvas-string-ids`` flavour) become ints and ``unread_count: "7"``
becomes 7. Fields whose JSON name is not a Python name (``content-type``) are renamed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from msgspec.structs import force_setattr

__all__ = [
    "Attachment",
    "AudienceContexts",
    "Batch",
    "Conversation",
    "ConversationIds",
    "Course",
    "CreateResult",
    "Enrollment",
    "File",
    "Group",
    "MediaComment",
    "Message",
    "Participant",
    "Profile",
    "Progress",
    "RecipientResult",
    "UploadTicket",
    "User",
]


class _Record(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Base of every wire record: frozen, keyword-only, unknown fields ignored.

    Untracked by the cyclic GC (``gc=False``): a decoded page is thousands of records that
    nothing ever makes refer back to themselves, and tracking them only triggers
    collections mid-sync."""


def _digits_to_int(value: int | str | None) -> int | str | None:
    # Recipient ids are users (ints) or context codes (strings); string-id servers send
    # users as "5" too. Settle users on int so callers compare like with like.
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


class User(_Record):
    """``GET /users/self``: who the token belongs to."""

    id: int
    name: str = ""
    short_name: str | None = None
    sortable_name: str | None = None
    login_id: str | None = None
    avatar_url: str | None = None
    pronouns: str | None = None  # [version] absent on older servers
    locale: str | None = None
    effective_locale: str | None = None
    time_zone: str | None = None


class Profile(_Record):
    """``GET /users/self/profile``."""

    id: int
    name: str = ""
    short_name: str | None = None
    sortable_name: str | None = None
    title: str | None = None
    bio: str | None = None
    primary_email: str | None = None
    login_id: str | None = None
    avatar_url: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    pronouns: str | None = None


class Enrollment(_Record):
    """An enrollment as embedded in a course of ``GET /courses``."""

    type: str  # "student", "teacher"… (course list) or "StudentEnrollment"… (elsewhere)
    role: str | None = None  # "StudentEnrollment", "TeacherEnrollment", or a custom role
    role_id: int | None = None
    user_id: int | None = None
    enrollment_state: str | None = None  # "active", "invited", "completed"…
    associated_user_id: int | None = None  # observers: the observed student


class Course(_Record):
    id: int
    name: str = ""
    course_code: str | None = None
    workflow_state: str | None = None  # "available", "completed", "unpublished"…
    enrollments: list[Enrollment] = []
    account_id: int | None = None
    uuid: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    concluded: bool | None = None  # only with include[]=concluded
    access_restricted_by_date: bool = False  # such courses come back as {id, this flag}

    @property
    def code(self) -> str:
        """The context code Canvas uses in filters and recipients: ``course_12``."""
        return f"course_{self.id}"


class Group(_Record):
    id: int
    name: str = ""
    course_id: int | None = None
    context_type: str | None = None  # "Course" or "Account"
    description: str | None = None
    members_count: int | None = None
    avatar_url: str | None = None
    group_category_id: int | None = None
    concluded: bool | None = None

    @property
    def code(self) -> str:
        return f"group_{self.id}"


class Participant(_Record):
    """A user as listed in a conversation's ``participants`` (§3.2)."""

    id: int
    name: str = ""  # the short (display) name
    full_name: str | None = None
    pronouns: str | None = None  # [version]
    avatar_url: str | None = None  # index: only with include[]=participant_avatars
    common_courses: dict[str, list[str]] = {}
    common_groups: dict[str, list[str]] = {}
    uuid: str | None = None  # only with include[]=uuid


class Attachment(_Record):
    """A Canvas File object (§3.3): message attachments and upload results."""

    id: int
    # Locked or half-uploaded files come with some of these null or missing.
    display_name: str | None = None
    filename: str | None = None
    content_type: str | None = msgspec.field(default=None, name="content-type")
    url: str | None = None  # …/download?download_frd=1&verifier=… or &location=… [version]
    size: int | None = None
    uuid: str | None = None
    folder_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    modified_at: datetime | None = None
    thumbnail_url: str | None = None
    mime_class: str | None = None
    media_entry_id: str | None = None
    locked: bool = False
    hidden: bool = False
    locked_for_user: bool = False
    hidden_for_user: bool = False
    upload_status: str | None = None
    category: str | None = None


File = Attachment


class MediaComment(_Record):
    media_id: str
    media_type: str = ""  # "audio" or "video"
    display_name: str | None = None
    content_type: str = msgspec.field(default="", name="content-type")
    url: str = ""


class Message(_Record):
    """One message of a conversation (§3.3)."""

    id: int  # 0 on the placeholder of a queued add_message (202) [version]
    created_at: datetime | None = None  # None only on such a placeholder
    body: str = ""
    author_id: int | None = None
    generated: bool = False  # a system message ("X was added to the conversation by Y")
    media_comment: MediaComment | None = None
    forwarded_messages: list[Message] = []  # newest first
    attachments: list[Attachment] = []
    participating_user_ids: list[int] = []

    @property
    def is_placeholder(self) -> bool:
        return self.id == 0


class AudienceContexts(_Record):
    courses: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}


class Conversation(_Record):
    """A conversation as the caller sees it (§3.1), in every endpoint's flavour.

    ``messages`` is None when the endpoint sends no ``messages`` key (index, update,
    delete, bulk create) and a list (newest first) when it does.
    """

    id: int
    subject: str | None = None
    workflow_state: str = "read"  # "unread", "read" or "archived"
    last_message: str | None = None
    last_message_at: datetime | None = None
    last_authored_message: str | None = None
    last_authored_message_at: datetime | None = None  # unreliable, says Canvas itself
    message_count: int = 0
    subscribed: bool = True
    private: bool = False
    # Old doc examples show null; __post_init__ settles it to False, so it is never None.
    starred: bool | None = False
    properties: list[str] = []  # "last_author", "attachments", "media_objects"
    audience: list[int] = []  # the others; the caller is never in it
    audience_contexts: AudienceContexts = AudienceContexts()
    avatar_url: str | None = None
    participants: list[Participant] = []
    visible: bool = True
    context_code: str | None = None
    context_name: str | None = None
    messages: list[Message] | None = None
    cannot_reply: bool = False
    beta: bool | None = None

    def __post_init__(self) -> None:
        # Lax decoding cannot turn null into False, so settle it here, not in every caller.
        if self.starred is None:
            force_setattr(self, "starred", False)

    @property
    def last_author_is_me(self) -> bool:
        return "last_author" in self.properties

    @property
    def has_attachments(self) -> bool:
        return "attachments" in self.properties

    @property
    def has_media_objects(self) -> bool:
        return "media_objects" in self.properties


class RecipientResult(_Record):
    """One answer of ``search/recipients`` (§4.14): a user or a context target.

    ``id`` is an int for a user and a string such as ``course_12_students`` for a context.
    """

    id: int | str
    name: str = ""
    type: str | None = None  # "context" for contexts; absent or "user" for users
    full_name: str | None = None
    pronouns: str | None = None
    avatar_url: str | None = None
    user_count: int | None = None
    item_count: int | None = None
    context_name: str | None = None
    permissions: dict[str, Any] = {}
    common_courses: dict[str, list[str]] = {}
    common_groups: dict[str, list[str]] = {}

    def __post_init__(self) -> None:
        force_setattr(self, "id", _digits_to_int(self.id))

    @property
    def is_context(self) -> bool:
        return self.type == "context" or isinstance(self.id, str)

    @property
    def recipient_id(self) -> str:
        """The id as ``recipients[]`` takes it: ``"5"`` or ``"course_12_students"``."""
        return str(self.id)


class Progress(_Record):
    """``batch_update``'s answer and ``GET /progress/:id`` (§4.12)."""

    id: int
    workflow_state: str = "queued"  # queued, running, completed, failed
    completion: float | None = None  # percent, 100.0 at the end
    message: str | None = None  # "2 conversations processed\n<error>: <id>, …"
    url: str | None = None
    tag: str | None = None
    context_id: int | None = None
    context_type: str | None = None
    user_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    results: Any = None

    @property
    def done(self) -> bool:
        return self.workflow_state in ("completed", "failed")

    @property
    def failed(self) -> bool:
        return self.workflow_state == "failed"


class Batch(_Record):
    """A bulk send still running (``GET /conversations/batches``, §4.3)."""

    id: int
    workflow_state: str = "created"
    completion: float | None = None  # 0..1
    recipient_count: int | None = None
    message: Message | None = None
    tags: list[str] = []
    subject: str | None = None  # in the published example only


class ConversationIds(_Record):
    """The ``include_all_conversation_ids`` shape (§4.1): every id of the scope, in
    order, unpaginated, plus the first page of conversations."""

    conversation_ids: list[int] = []
    conversations: list[Conversation] = []


class CreateResult(_Record):
    """What ``create_conversation`` gives back (§4.2, §13.1).

    ``conversations`` holds one item for a single send and N (without messages) for a
    bulk send; it is empty with ``batch_id`` set when Canvas queued the send (202).
    """

    conversations: list[Conversation] = []
    batch_id: int | None = None

    @property
    def queued(self) -> bool:
        return self.batch_id is not None


class UploadTicket(_Record):
    """Step 1 of the upload (§10): where to send the bytes."""

    upload_url: str
    upload_params: dict[str, Any] = {}
    file_param: str = "file"
