"""Records ↔ rows.

Each record is kept whole as msgspec JSON (so a round trip is exact: nested forwards,
attachments, media comments, every field, even ones added to the records later with
defaults), beside the few plain columns SQLite indexes and sorts on. JSON rather than
msgpack because it keeps timezone offsets as written and can be read with the sqlite3
shell when something looks wrong; msgspec decodes either in microseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from canvas_inbox.store.records import (
    Context,
    Conversation,
    Draft,
    Message,
    OutboxItem,
    Person,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

encode = msgspec.json.Encoder().encode
decode_conversation = msgspec.json.Decoder(Conversation).decode
decode_message = msgspec.json.Decoder(Message).decode
decode_person = msgspec.json.Decoder(Person).decode
decode_context = msgspec.json.Decoder(Context).decode
decode_draft = msgspec.json.Decoder(Draft).decode
decode_outbox = msgspec.json.Decoder(OutboxItem).decode


def encode_typed(record: msgspec.Struct) -> bytes:
    """``encode`` for what the user typed, which may hold lone surrogates (a terminal
    decoding invalid UTF-8 with surrogateescape): UTF-8 cannot hold them, so they become
    U+FFFD rather than the whole draft failing to save."""
    try:
        return encode(record)
    except UnicodeEncodeError:
        return encode(_replace_surrogates(msgspec.to_builtins(record)))


def _replace_surrogates(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value


def micros(when: datetime | None) -> int | None:
    """A sortable integer for a time: microseconds since the epoch, UTC.

    Canvas's times are UTC ("Z"); a naive time is taken as UTC rather than local time,
    so two machines sort the same cache the same way."""
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // _MICROSECOND


def from_micros(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + value * _MICROSECOND


def conversation_columns(c: Conversation) -> tuple[object, ...]:
    """(id, state, starred, lm_at, la_at, last_author_is_me, ctx, data): the row values."""
    return (
        c.id,
        c.workflow_state,
        int(c.starred),
        micros(c.last_message_at),
        micros(c.last_authored_message_at),
        int(c.last_author_is_me),
        c.context_code,
        encode(c),
    )
