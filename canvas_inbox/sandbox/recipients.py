"""Recipient strings → users (§6.4): ``7``, ``uuid:…``, ``course_12``, ``course_12_students``,
``section_5``, ``group_3``, a trailing ``_all``; unknown or unreachable users drop out
silently, as they do on Canvas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from canvas_inbox.sandbox.http import MAX_ID
from canvas_inbox.sandbox.roster import SUFFIX_TYPES, Roster

CODE_RE = re.compile(
    r"^(course|section|group)_(\d+)(?:_(students|teachers|tas|observers|designers|admins))?"
    r"(?:_all)?$"
)
# Targets that need the course's send_messages_all right (§4.2 check 7).
_RESTRICTED_SUFFIXES = frozenset({None, "students", "observers"})


def split_recipients(raw: Any) -> list[Any] | None:
    """The ``recipients`` parameter as a list: one comma-separated string is split."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, dict):
        raw = list(raw.values())
    if isinstance(raw, list):
        return list(raw)  # only a lone string is split; array items are taken as they are
    return [raw]


@dataclass
class Resolution:
    user_ids: list[int] = field(default_factory=list)
    context_codes: list[str] = field(default_factory=list)  # course/group codes, for tags
    restricted: bool = False  # a whole-course/students/observers target without the right
    non_string: bool = False  # an entry that was not a string (recent Canvas refuses it)


def resolve(
    roster: Roster,
    sender: int,
    entries: list[Any],
    *,
    also_known: frozenset[int] | set[int] = frozenset(),
) -> Resolution:
    """Expand recipient entries to the users the sender may reach.

    ``also_known``: users accepted even if not otherwise messageable (in add_message,
    the conversation's participants)."""
    result = Resolution()
    found: set[int] = set()
    named_self = False
    known = roster.messageable(sender)
    for entry in entries:
        if not isinstance(entry, str):
            result.non_string = True
            if isinstance(entry, bool) or not isinstance(entry, int):
                continue
            entry = str(entry)
        if entry.isdigit() and int(entry) <= MAX_ID:
            user_id = int(entry)
            if user_id == sender and user_id in roster.users:
                named_self = True
                found.add(user_id)
            elif user_id in known or user_id in also_known:
                found.add(user_id)
            continue
        if entry.startswith("uuid:"):
            uid = roster.by_uuid.get(entry[5:])
            if uid is not None and (uid == sender or uid in known or uid in also_known):
                named_self = named_self or uid == sender
                found.add(uid)
            continue
        match = CODE_RE.match(entry)
        if match is None:
            continue
        kind, raw_id, suffix = match.group(1), int(match.group(2)), match.group(3)
        found |= _expand(roster, sender, kind, raw_id, suffix, result)
    others = sorted(found - {sender})
    if not others and named_self:
        others = [sender]  # a monologue: the request named only the sender
    result.user_ids = others
    return result


def _expand(
    roster: Roster,
    sender: int,
    kind: str,
    context_id: int,
    suffix: str | None,
    result: Resolution,
) -> set[int]:
    types = SUFFIX_TYPES.get(suffix) if suffix else None
    if kind == "course":
        if suffix in _RESTRICTED_SUFFIXES and not roster.can_send_messages_all(sender, context_id):
            result.restricted = True
        if context_id not in roster.courses:
            return set()
        _add_code(result, f"course_{context_id}")
        users = roster.messageable_in_course(sender, context_id)
        return users & roster.course_users(context_id, types) if types else set(users)
    if kind == "section":
        section = roster.sections.get(context_id)
        if section is None:
            return set()
        _add_code(result, f"course_{section.course_id}")
        in_section = {
            e.user_id
            for e in roster.by_course.get(section.course_id, ())
            if e.section_id == context_id and e.active and (types is None or e.type in types)
        }
        return in_section & roster.messageable_in_course(sender, section.course_id)
    group = roster.groups.get(context_id)
    if group is None or suffix is not None:
        return set()
    _add_code(result, f"group_{group.id}")
    if group.course_id is not None:
        _add_code(result, f"course_{group.course_id}")
    return set(roster.messageable_in_group(sender, context_id))


def _add_code(result: Resolution, code: str) -> None:
    if code not in result.context_codes:
        result.context_codes.append(code)


def expand_code(roster: Roster, sender: int, code: str) -> set[int]:
    """The users a context code reaches for this sender, the sender included."""
    match = CODE_RE.match(code)
    if match is None:
        return set()
    kind, raw_id, suffix = match.group(1), int(match.group(2)), match.group(3)
    return _expand(roster, sender, kind, raw_id, suffix, Resolution())
