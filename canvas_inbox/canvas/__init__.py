"""The Canvas REST client: HTTP and Canvas, nothing else (no UI, no SQLite).

    async with CanvasClient("https://school.instructure.com", token) as canvas:
        me = await canvas.get_self()
        inbox = await canvas.list_conversations(scope="unread")

Records are msgspec Structs shaped like Canvas's JSON (``Conversation``, ``Message``,
``Participant``, ``Attachment``/``File``, ``Progress``…), tolerant of both server versions
the spec marks [version]. The service converts them into the app's own records.

Exceptions, all subclasses of ``CanvasError``; ``str(error)`` is one line for a person
and never contains the token::

    CanvasError
    ├── AuthenticationError     401: no, invalid or revoked token (log in again)
    │   └── ExpiredToken        401 "Expired access token."
    ├── Forbidden               403 (or 401 on older servers) "unauthorized": not allowed
    ├── NotFound                404: no such conversation, or not the caller's
    ├── ValidationError         Canvas refused the input; .errors: list[FieldError]
    ├── Throttled               rate limit (403 text/plain, or 429), still after backing
    │                           off; Canvas did nothing, so it is safe to send again later
    ├── ServerError             5xx
    ├── NetworkError            connect/transport failure; .maybe_sent for POSTs
    │   └── RequestTimeout      no answer in time
    └── UnexpectedResponse      not Canvas's answer (HTML, bad JSON, a foreign redirect)

GETs (and ``update_conversation``, which only sets fields) are retried on transient
network errors, 5xx and Canvas's rate limit, with exponential backoff and jitter. POSTs
are sent once: when a send fails with ``NetworkError`` and ``maybe_sent`` is true, check
``sent`` before sending again.
"""

from canvas_inbox.canvas._client import BatchEvent, CanvasClient
from canvas_inbox.canvas._errors import (
    AuthenticationError,
    CanvasError,
    ExpiredToken,
    FieldError,
    Forbidden,
    NetworkError,
    NotFound,
    RequestTimeout,
    ServerError,
    Throttled,
    UnexpectedResponse,
    ValidationError,
)
from canvas_inbox.canvas._http import USER_AGENT
from canvas_inbox.canvas._paging import parse_link_header
from canvas_inbox.canvas._records import (
    Attachment,
    AudienceContexts,
    Batch,
    Conversation,
    ConversationIds,
    Course,
    CreateResult,
    Enrollment,
    File,
    Group,
    MediaComment,
    Message,
    Participant,
    Profile,
    Progress,
    RecipientResult,
    User,
)
from canvas_inbox.canvas._throttle import RetryPolicy

__all__ = [
    "USER_AGENT",
    "Attachment",
    "AudienceContexts",
    "AuthenticationError",
    "Batch",
    "BatchEvent",
    "CanvasClient",
    "CanvasError",
    "Conversation",
    "ConversationIds",
    "Course",
    "CreateResult",
    "Enrollment",
    "ExpiredToken",
    "FieldError",
    "File",
    "Forbidden",
    "Group",
    "MediaComment",
    "Message",
    "NetworkError",
    "NotFound",
    "Participant",
    "Profile",
    "Progress",
    "RecipientResult",
    "RequestTimeout",
    "RetryPolicy",
    "ServerError",
    "Throttled",
    "UnexpectedResponse",
    "User",
    "ValidationError",
    "parse_link_header",
]
