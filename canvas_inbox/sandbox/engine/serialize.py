"""Conversation, participant and message JSON (§3.1–§3.3), in every endpoint's flavour.

A page is rendered with a fixed number of queries whatever its size: rows, participants,
previews and messages are loaded for all its conversations at once; people come from
the in-memory roster."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from canvas_inbox.sandbox import files
from canvas_inbox.sandbox.db import canvas_time
from canvas_inbox.sandbox.engine.core import context_code, split_tags
from canvas_inbox.sandbox.roster import Roster, User

USER_AVATAR = "/images/messages/avatar-50.png"
GROUP_AVATAR = "/images/messages/avatar-group-50.png"
MAX_AVATAR_PARTICIPANTS = 100
PREVIEW_LENGTH = 100


@dataclass(frozen=True)
class View:
    """Which extra keys a conversation carries (the table under §3.1)."""

    full_participants: bool = True  # common_courses, common_groups, avatar_url
    participant_contexts: bool = True  # show's include_participant_contexts=false drops them
    indirect: bool = False  # authors of forwarded messages join the participants
    context_name: bool = False
    messages: bool = False  # a "messages" key (the given or all visible messages)
    show_extras: bool = False  # submissions, cannot_reply
    participant_avatars: bool = False  # for basic participants (index)
    include_uuid: bool = False


INDEX = View(full_participants=False, context_name=True)
SHOW = View(indirect=True, context_name=True, messages=True, show_extras=True)
SINGLE = View(indirect=True, messages=True)
BULK = View(full_participants=False)
UPDATE = View()
WITH_MESSAGE = View(messages=True)


def preview(body: str | None) -> str | None:
    if body is None:
        return None
    if len(body) <= PREVIEW_LENGTH:
        return body
    return body[: PREVIEW_LENGTH - 3] + "..."


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def added_sentence(names: list[str], adder: str) -> str:
    """ "jane was added …", "jane and joe were added …", "a, b, and c were added …"."""
    if len(names) == 1:
        return f"{names[0]} was added to the conversation by {adder}"
    if len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = ", ".join(names[:-1]) + f", and {names[-1]}"
    return f"{who} were added to the conversation by {adder}"


class Renderer:
    def __init__(
        self, conn: sqlite3.Connection, roster: Roster, user_id: int, base_url: str
    ) -> None:
        self.conn = conn
        self.roster = roster
        self.user_id = user_id
        self.base = base_url.rstrip("/")
        # A page repeats the same few people in every row: what is derived from the
        # roster alone is worked out once per person per request (a Renderer lives for
        # one request, inside its database lock, so the roster cannot change under it).
        self._people: dict[tuple[int, bool, bool, bool], dict[str, Any]] = {}
        self._name_keys: dict[int, tuple[str, int]] = {}
        # Rows of a page share a handful of tag sets and contexts: a context name is
        # looked up once per (context, tags) per request.
        self._context_names: dict[tuple[tuple[str, int] | None, str], str | None] = {}
        self._types: dict[tuple[int, int], list[str]] = {}

    # ------------------------------------------------------------ people

    def avatar(self, user: User) -> str:
        return user.avatar_url or f"{self.base}{USER_AVATAR}"

    def user_json(self, user_id: int, *, full: bool, avatar: bool, uuid: bool) -> dict[str, Any]:
        key = (user_id, full, avatar, uuid)
        known = self._people.get(key)
        if known is None:
            known = self._people[key] = self._user_json(user_id, full, avatar, uuid)
        return dict(known)

    def _user_json(self, user_id: int, full: bool, avatar: bool, uuid: bool) -> dict[str, Any]:
        user = self.roster.users[user_id]
        data: dict[str, Any] = {
            "id": user.id,
            "name": user.short_name,
            "full_name": user.name,
            "pronouns": user.pronouns,
        }
        if uuid:
            data["uuid"] = user.uuid
        if full:
            data["common_courses"] = self.roster.common_courses(self.user_id, user_id)
            data["common_groups"] = self.roster.common_groups(self.user_id, user_id)
        if avatar:
            data["avatar_url"] = self.avatar(user)
        return data

    def ordered(self, people: Iterable[tuple[int, str | None]]) -> list[int]:
        """Most recent author first, never-authored last, then by display name."""
        if isinstance(people, list) and len(people) <= 2:
            # Nearly every conversation has one or two people: one comparison, not two
            # sorts, gives the same order (a tie on the time falls back to the name).
            if len(people) < 2:
                return [p[0] for p in people]
            (a, a_at), (b, b_at) = people
            a_at, b_at = a_at or "", b_at or ""
            if a_at > b_at or (a_at == b_at and self.name_key(a) <= self.name_key(b)):
                return [a, b]
            return [b, a]
        by_name = sorted(people, key=lambda p: self.name_key(p[0]))
        return [p[0] for p in sorted(by_name, key=lambda p: p[1] or "", reverse=True)]

    def name_key(self, user_id: int) -> tuple[str, int]:
        key = self._name_keys.get(user_id)
        if key is None:
            key = (self.roster.users[user_id].short_name.casefold(), user_id)
            self._name_keys[user_id] = key
        return key

    def enrollment_types(self, user_id: int, course_id: int) -> list[str]:
        key = (user_id, course_id)
        types = self._types.get(key)
        if types is None:
            types = self._types[key] = self.roster.enrollment_types(user_id, course_id)
        return list(types)

    # ------------------------------------------------------------ messages

    def messages_json(self, message_ids: list[int], depth: int = 0) -> list[dict[str, Any]]:
        """Message objects in the given order (forwarded ones nested, newest first)."""
        if not message_ids:
            return []
        rows = {
            r["id"]: r
            for r in self.conn.execute(
                f"SELECT * FROM messages WHERE id IN ({_marks(message_ids)})",  # noqa: S608
                message_ids,
            )
        }
        holders: dict[int, list[int]] = defaultdict(list)
        for message_id, user_id in self.conn.execute(
            f"SELECT message_id, user_id FROM message_participants"  # noqa: S608
            f" WHERE message_id IN ({_marks(message_ids)}) ORDER BY user_id",
            message_ids,
        ):
            holders[message_id].append(user_id)
        media_titles = self._media_titles(rows.values())
        result = []
        for message_id in message_ids:
            row = rows.get(message_id)
            if row is None:
                continue
            forwarded_ids = json.loads(row["forwarded_message_ids"])
            forwarded: list[dict[str, Any]] = []
            if forwarded_ids and depth < 20:
                forwarded = self.messages_json(self._newest_first(forwarded_ids), depth + 1)
            result.append(
                {
                    "id": row["id"],
                    "created_at": canvas_time(row["created_at"]),
                    "body": self._body(row),
                    "author_id": row["author_id"],
                    "generated": bool(row["generated"]),
                    "media_comment": self._media(row, media_titles),
                    "forwarded_messages": forwarded,
                    "attachments": self._attachments(json.loads(row["attachment_ids"])),
                    "participating_user_ids": holders.get(message_id, []),
                }
            )
        return result

    def _newest_first(self, message_ids: list[int]) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM messages WHERE id IN ({_marks(message_ids)})"  # noqa: S608
                " ORDER BY created_at DESC, id DESC",
                message_ids,
            )
        ]

    def _body(self, row: sqlite3.Row) -> str:
        if not row["generated"]:
            return str(row["body"])
        event = json.loads(row["event_data"] or "{}")
        users = self.roster.users
        names = [users[u].short_name for u in sorted(event.get("user_ids", [])) if u in users]
        adder = users[row["author_id"]].short_name if row["author_id"] in users else ""
        return added_sentence(names, adder) if names else str(row["body"])

    def _media_titles(self, rows: Iterable[sqlite3.Row]) -> dict[str, str | None]:
        ids = [r["media_comment_id"] for r in rows if r["media_comment_id"]]
        if not ids:
            return {}
        return {
            r[0]: r[1]
            for r in self.conn.execute(
                f"SELECT media_id, title FROM media_objects WHERE media_id IN ({_marks(ids)})",  # noqa: S608
                ids,
            )
        }

    def _media(self, row: sqlite3.Row, titles: dict[str, str | None]) -> dict[str, Any] | None:
        media_id, kind = row["media_comment_id"], row["media_comment_type"]
        if not media_id:
            return None
        return {
            "content-type": f"{kind}/mp4",
            "display_name": titles.get(media_id),
            "media_id": media_id,
            "media_type": kind,
            "url": f"{self.base}/users/{self.user_id}/media_download?entryId={media_id}"
            "&redirect=1&type=mp4",
        }

    def _attachments(self, file_ids: list[int]) -> list[dict[str, Any]]:
        result = []
        for file_id in file_ids:
            try:
                result.append(files.file_json(self.conn, file_id, self.base))
            except KeyError:
                continue
        return result

    def visible_message_ids(self, conversation_id: int) -> list[int]:
        """Every message the caller can see here, newest first."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT m.id FROM message_participants mp JOIN messages m ON m.id = mp.message_id"
                " WHERE mp.user_id = ? AND mp.conversation_id = ? AND mp.workflow_state = 'active'"
                " ORDER BY m.created_at DESC, m.id DESC",
                (self.user_id, conversation_id),
            )
        ]

    def _forward_authors(self, messages: list[dict[str, Any]]) -> set[int]:
        authors: set[int] = set()
        stack = [f for m in messages for f in m["forwarded_messages"]]
        while stack:
            message = stack.pop()
            authors.add(message["author_id"])
            stack.extend(message["forwarded_messages"])
        return authors

    # ------------------------------------------------------------ conversations

    def _previews(self, ids: list[int], own: bool) -> dict[int, dict[str, Any]]:
        """The newest visible (own) message of each conversation: its body and author.

        One indexed lookup per conversation (a correlated LIMIT 1), not a window over
        every message of the page: a 100-row page took ~1 ms that way, ~0.2 ms this."""
        author_clause = "AND m.author_id = ?" if own else ""
        args: list[object] = [json.dumps(ids), self.user_id]
        if own:
            args.append(self.user_id)
        query = (
            "SELECT page.value, m.body, m.author_id FROM json_each(?) page"  # noqa: S608 - only placeholders
            " JOIN messages m ON m.id = (SELECT m.id FROM message_participants mp"
            " JOIN messages m ON m.id = mp.message_id"
            " WHERE mp.user_id = ? AND mp.conversation_id = page.value"
            f" AND mp.workflow_state = 'active' AND m.generated = 0 {author_clause}"
            " ORDER BY m.created_at DESC, m.id DESC LIMIT 1)"
        )
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return {
            cid: {"body": body, "author_id": author}
            for cid, body, author in cursor.execute(query, args)
        }

    def conversations(
        self,
        conversation_ids: list[int],
        view: View,
        *,
        visible: dict[int, bool] | bool,
        messages: dict[int, list[int]] | None = None,
    ) -> list[dict[str, Any]]:
        """Render the caller's view of these conversations, in the given order.

        ``messages``: the message ids to include per conversation; with a messages view
        and no entry, every visible message (show)."""
        if not conversation_ids:
            return []
        ids = list(conversation_ids)
        # Plain tuples made into dicts: much cheaper than sqlite3.Row for ~20 lookups a row.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        cursor.execute(
            # Only the columns _conversation reads: fewer to fetch and to zip per row.
            "SELECT cp.conversation_id, cp.workflow_state, cp.subscribed, cp.starred,"  # noqa: S608 - only placeholders
            " cp.last_message_at, cp.message_count, cp.visible_last_authored_at,"
            " cp.has_attachments, cp.has_media_objects, cp.tags,"
            " c.subject, c.private_hash, c.context_type, c.context_id"
            " FROM conversation_participants cp JOIN conversations c"
            f" ON c.id = cp.conversation_id WHERE cp.user_id = ?"
            f" AND cp.conversation_id IN ({_marks(ids)})",
            (self.user_id, *ids),
        )
        names = [d[0] for d in cursor.description]
        rows = {r["conversation_id"]: r for r in (dict(zip(names, t, strict=True)) for t in cursor)}
        people: dict[int, list[tuple[int, str | None]]] = defaultdict(list)
        for conversation_id, user_id, authored in cursor.execute(
            "SELECT conversation_id, user_id, last_authored_at FROM conversation_participants"  # noqa: S608 - only placeholders
            f" WHERE conversation_id IN ({_marks(ids)})",
            ids,
        ):
            people[conversation_id].append((user_id, authored))
        latest = self._previews(ids, own=False)
        authored = self._previews(ids, own=True)
        result = []
        for conversation_id in ids:
            row = rows.get(conversation_id)
            if row is None:
                continue
            is_visible = visible if isinstance(visible, bool) else visible.get(conversation_id)
            message_ids = None
            if view.messages:
                if messages is not None and conversation_id in messages:
                    message_ids = messages[conversation_id]
                else:
                    message_ids = self.visible_message_ids(conversation_id)
            result.append(
                self._conversation(
                    row,
                    people[conversation_id],
                    latest.get(conversation_id),
                    authored.get(conversation_id),
                    view,
                    bool(is_visible),
                    message_ids,
                )
            )
        return result

    def _conversation(
        self,
        row: dict[str, Any],
        people: list[tuple[int, str | None]],
        latest: dict[str, Any] | None,
        authored: dict[str, Any] | None,
        view: View,
        visible: bool,
        message_ids: list[int] | None,
    ) -> dict[str, Any]:
        me = self.user_id
        last_message = latest if row["last_message_at"] is not None else None
        own_message = authored if row["visible_last_authored_at"] is not None else None
        newest = last_message or own_message
        properties = []
        if newest is not None and newest["author_id"] == me:
            properties.append("last_author")
        if row["has_attachments"]:
            properties.append("attachments")
        if row["has_media_objects"]:
            properties.append("media_objects")
        order = self.ordered(people)
        audience = [u for u in order if u != me]
        tags = split_tags(row["tags"])
        context = (row["context_type"], row["context_id"]) if row["context_type"] else None
        data: dict[str, Any] = {
            "id": row["conversation_id"],
            "subject": row["subject"],
            "workflow_state": row["workflow_state"],
            "last_message": preview(last_message["body"]) if last_message else None,
            "last_message_at": canvas_time(row["last_message_at"]),
            "last_authored_message": preview(own_message["body"]) if own_message else None,
            "last_authored_message_at": canvas_time(row["visible_last_authored_at"]),
            "message_count": row["message_count"],
            "subscribed": bool(row["subscribed"]) or row["private_hash"] is not None,
            "private": row["private_hash"] is not None,
            "starred": bool(row["starred"]),
            "properties": properties,
            "audience": audience,
            "audience_contexts": self._audience_contexts(audience, tags),
            "avatar_url": self._conversation_avatar(order),
        }
        rendered_messages = self.messages_json(message_ids) if message_ids is not None else None
        participants = list(order)
        if view.indirect and rendered_messages:
            extra = self._forward_authors(rendered_messages) - set(participants)
            participants += sorted(extra, key=self.name_key)
        avatars = (view.full_participants or view.participant_avatars) and (
            len(participants) <= MAX_AVATAR_PARTICIPANTS
        )
        data["participants"] = [
            self.user_json(
                u,
                full=view.full_participants and view.participant_contexts,
                avatar=avatars,
                uuid=view.include_uuid,
            )
            for u in participants
            if u in self.roster.users
        ]
        data["visible"] = visible
        data["context_code"] = context_code(context)
        if view.context_name:
            key = (context, row["tags"])
            if key in self._context_names:
                data["context_name"] = self._context_names[key]
            else:
                name = self._context_names[key] = self._context_name(context, tags)
                data["context_name"] = name
        if rendered_messages is not None:
            data["messages"] = rendered_messages
        if view.show_extras:
            data["submissions"] = []
            others = {u for u, _ in people if u != me}
            if self.roster.replies_locked(me, context, others):
                data["cannot_reply"] = True
        return data

    def _audience_contexts(self, audience: list[int], tags: list[str]) -> dict[str, Any]:
        courses: dict[str, list[str]] = {}
        groups: dict[str, list[str]] = {}
        if not audience:
            return {"courses": courses, "groups": groups}
        only = audience[0] if len(audience) == 1 else None
        for tag in tags:
            kind, _, raw_id = tag.partition("_")
            if not raw_id.isdigit():
                continue
            context_id = int(raw_id)
            if kind == "course":
                courses[raw_id] = (
                    self.enrollment_types(only, context_id) if only is not None else []
                )
            elif kind == "group":
                group = self.roster.groups.get(context_id)
                member = only is not None and group is not None and only in group.members
                groups[raw_id] = ["Member"] if member else []
        return {"courses": courses, "groups": groups}

    def _conversation_avatar(self, participants: list[int]) -> str:
        users = self.roster.users
        if len(participants) == 1 and participants[0] in users:
            return self.avatar(users[participants[0]])
        if len(participants) == 2:
            other = next((u for u in participants if u != self.user_id), participants[0])
            if other in users:
                return self.avatar(users[other])
        return f"{self.base}{GROUP_AVATAR}"

    def _context_name(self, context: tuple[str, int] | None, tags: list[str]) -> str | None:
        candidates: list[tuple[str, int]] = [context] if context else []
        for tag in tags:
            kind, _, raw_id = tag.partition("_")
            if raw_id.isdigit() and kind in ("course", "group"):
                candidates.append(("Course" if kind == "course" else "Group", int(raw_id)))
        for kind, context_id in candidates:
            if kind == "Course" and context_id in self.roster.courses:
                return self.roster.courses[context_id].name
            if kind == "Group" and context_id in self.roster.groups:
                return self.roster.groups[context_id].name
        return None
