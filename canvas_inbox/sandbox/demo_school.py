"""The built-in demo school: Northfield College in the fall 2026 term, seen by one student.

``demo_seed()`` returns a seed in the sandbox's JSON format (DESIGN.md plus the TEAM.md
extensions: read_by, starred_by, archived_by, forwarded_from, attachments,
media_comment). It is deterministic: the same call gives the same school every time, so
screenshots and tests can rely on it. The hand-written threads live in demo_threads.py,
the phrase banks for everyday mail in demo_text.py.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from canvas_inbox.sandbox.demo_text import (
    ADDRESS,
    ANNOUNCEMENTS,
    CHATTER,
    QUESTIONS,
    TOPICS,
    WEEKDAYS,
)
from canvas_inbox.sandbox.demo_threads import ACTIVITY, CONCLUDED, THREADS, Thread

__all__ = ["ACTIVITY", "DEMO_USER_ID", "DEMO_USER_TOKEN", "demo_seed"]

DEMO_USER_ID = 20
DEMO_USER_TOKEN = "demo-maya-okafor"  # noqa: S105 - a published demo credential, not a secret
RANDOM_SEED = 2026
# The demo's "today": the newest mail is from the days just before it.
TODAY = datetime(2026, 11, 23, tzinfo=UTC)
TERM_START = datetime(2026, 8, 24, 8, tzinfo=UTC)

# handle: (id, full name, pronouns)
STAFF: dict[str, tuple[int, str, str | None]] = {
    "vasquez": (11, "Elena Vasquez", "she/her"),
    "bell": (12, "David Bell", "he/him"),
    "raman": (13, "Priya Raman", "she/her"),
    "whitfield": (14, "Sam Whitfield", "they/them"),
    "haddad": (15, "Noor Haddad", "she/her"),
    "grace": (19, "Grace Okafor", None),
}
_STUDENT_NAMES = (
    "me:Maya Okafor:she/her",
    "liam:Liam Novak",
    "sofia:Sofia Marchetti:she/her",
    "ethan:Ethan Park",
    "zara:Zara Ahmed:she/her",
    "hana:Hana Sato",
    "diego:Diego Alvarez:he/him",
    "owen:Owen Gallagher",
    "chloe:Chloe Lindqvist",
    "omar:Omar Siddiqui:he/him",
    "isla:Isla McKenzie",
    "mateo:Mateo Rossi",
    "amara:Amara Nwosu:she/her",
    "theo:Theo Bergström",
    "nia:Nia Campbell",
    "jonah:Jonah Weiss:he/him",
    "leila:Leila Karimi",
    "ravi:Ravi Menon",
    "ingrid:Ingrid Solberg",
    "kenji:Kenji Watanabe",
    "fatima:Fatima Idrissi",
    "caleb:Caleb Foster",
    "elif:Elif Yılmaz",
    "samuel:Samuel Osei",
    "mia:Mia Kowalski",
    "arjun:Arjun Patel:he/him",
    "lucia:Lucía Ferreira",
    "ben:Ben Adler",
    "tessa:Tessa Morgan:they/them",
    "kwame:Kwame Asante",
    "julia:Julia Brandt",
    "emeka:Emeka Obi",
    "rosa:Rosa Delgado",
    "finn:Finn O'Connor",
    "anya:Anya Petrova",
    "daniel:Daniel Kim",
    "yusuf:Yusuf Demir",
    "clara:Clara Jensen",
    "marco:Marco Bianchi",
    "aditi:Aditi Rao:she/her",
)
STUDENTS: dict[str, tuple[int, str, str | None]] = {}
for _offset, _entry in enumerate(_STUDENT_NAMES):
    _handle, _name, *_pronouns = _entry.split(":")
    STUDENTS[_handle] = (DEMO_USER_ID + _offset, _name, _pronouns[0] if _pronouns else None)
PEOPLE = {**STAFF, **STUDENTS}
ID = {handle: person[0] for handle, person in PEOPLE.items()}

# handle: (course id, name, code, workflow_state, teacher, ta, student ids, sections)
COURSE_IDS = {"bio": 101, "hist": 102, "writ": 103}
GROUP_IDS = {"group_lab": 201, "group_press": 202}
BIO_STUDENTS = list(range(20, 50))
HIST_STUDENTS = [20, 25, 28, 30, *range(35, 60)]
WRIT_STUDENTS = [20, 22, 26, 29, 33, 41, 44, 50, 53, 57]


def _users() -> list[dict[str, Any]]:
    users = []
    for handle, (user_id, name, pronouns) in sorted(PEOPLE.items(), key=lambda p: p[1][0]):
        first, _, last = name.partition(" ")
        plain = unicodedata.normalize("NFKD", name.replace("ı", "i")).encode("ascii", "ignore")
        login = ".".join(plain.decode().lower().replace("'", "").split())
        users.append(
            {
                "id": user_id, "name": name, "short_name": name,
                "sortable_name": f"{last}, {first}", "login_id": f"{login}@example.edu",
                "token": DEMO_USER_TOKEN if user_id == DEMO_USER_ID else f"demo-{handle}",
                "pronouns": pronouns,
            }
        )  # fmt: skip
    return users


def _course(
    key: str, name: str, code: str, state: str, staff: list[tuple[str, str]],
    students: list[int], sections: list[tuple[int, str]], dates: tuple[str, str],
) -> dict[str, Any]:  # fmt: skip
    enrollments: list[dict[str, Any]] = [
        {"user_id": ID[handle], "type": kind, "section_id": sections[0][0]}
        for handle, kind in staff
    ]
    for index, user_id in enumerate(students):
        section = sections[index % len(sections)][0]
        enrollments.append({"user_id": user_id, "type": "StudentEnrollment", "section_id": section})
    if key in ("bio", "hist"):  # Maya's mother follows her current courses
        enrollments.append(
            {"user_id": ID["grace"], "type": "ObserverEnrollment",
             "observed_user_id": DEMO_USER_ID, "section_id": sections[0][0]}
        )  # fmt: skip
    return {
        "id": COURSE_IDS[key], "name": name, "course_code": code, "workflow_state": state,
        "start_at": dates[0], "end_at": dates[1],
        "sections": [{"id": sid, "name": sname} for sid, sname in sections],
        "enrollments": enrollments,
    }  # fmt: skip


def _courses() -> list[dict[str, Any]]:
    return [
        _course("bio", "BIO 101: Cells to Ecosystems", "BIO 101", "available",
                [("vasquez", "TeacherEnrollment"), ("whitfield", "TaEnrollment")],
                BIO_STUDENTS, [(1001, "BIO 101 Section 01"), (1002, "BIO 101 Section 02")],
                ("2026-08-24T08:00:00Z", "2026-12-18T23:59:00Z")),
        _course("hist", "HIST 210: Revolutions and Republics", "HIST 210", "available",
                [("bell", "TeacherEnrollment"), ("haddad", "TaEnrollment")],
                HIST_STUDENTS, [(1003, "HIST 210 Section A")],
                ("2026-08-24T08:00:00Z", "2026-12-18T23:59:00Z")),
        _course("writ", "Summer Bridge: Academic Writing", "WRIT 090", "completed",
                [("raman", "TeacherEnrollment")], WRIT_STUDENTS,
                [(1004, "WRIT 090 Summer")], ("2026-06-29T08:00:00Z", "2026-08-14T23:59:00Z")),
    ]  # fmt: skip


def _groups() -> list[dict[str, Any]]:
    return [
        {"id": 201, "name": "Lab Team 4", "course_id": 101, "members": [20, 22, 23, 24]},
        {"id": 202, "name": "Printing Press Project", "course_id": 102,
         "members": [20, 35, 36, 37]},
        {"id": 203, "name": "Lab Team 1", "course_id": 101, "members": [21, 25, 26, 27]},
        {"id": 204, "name": "Lab Team 2", "course_id": 101, "members": [28, 29, 30, 31]},
        {"id": 205, "name": "Lab Team 3", "course_id": 101, "members": [32, 33, 34, 38]},
    ]  # fmt: skip


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _recipient(token: str) -> str:
    """A thread's recipient handle as the API's recipient string."""
    if token in ID:
        return str(ID[token])
    if token in GROUP_IDS:
        return f"group_{GROUP_IDS[token]}"
    if token.startswith("course_"):  # course_bio_students -> course_101_students
        _, key, *suffix = token.split("_")
        return "_".join(["course", str(COURSE_IDS[key]), *suffix])
    raise ValueError(f"unknown recipient handle {token!r}")


def _context(key: str) -> str:
    return f"group_{GROUP_IDS[key]}" if key in GROUP_IDS else f"course_{COURSE_IDS[key]}"


def _members(recipients: list[str], author: int) -> set[int]:
    """Everyone a conversation reaches (approximately: enough for read_by and flags)."""
    members = {author}
    rosters = {"course_101": BIO_STUDENTS, "course_102": HIST_STUDENTS, "course_103": WRIT_STUDENTS}
    groups = {f"group_{g['id']}": g["members"] for g in _groups()}
    for code in recipients:
        if code.isdigit():
            members.add(int(code))
        elif code in groups:
            members.update(groups[code])
        elif code.endswith("_students"):
            members.update(rosters[code.removesuffix("_students")])
    return members


def _attachments(items: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [{"filename": f, "content_type": c, "text": t} for f, c, t in items]


class _Builder:
    """Turns thread descriptions into seed conversations, tracking private pairs so two
    threads between the same two people stay two conversations (as a user would start
    them from the web UI with a new subject)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items: list[tuple[datetime, str, dict[str, Any]]] = []
        self.private_keys: set[tuple[frozenset[int], str | None]] = set()

    def add(self, thread: Thread) -> None:
        author = ID[thread["from"]]
        recipients = [_recipient(token) for token in thread["to"]]
        context = _context(thread["ctx"]) if thread.get("ctx") else None
        group = bool(thread.get("group"))
        if not group and len(recipients) == 1 and recipients[0].isdigit():
            key = (frozenset({author, int(recipients[0])}), context)
            group = key in self.private_keys
            self.private_keys.add(key)
        month, day, hour, minute = thread["when"]
        start = datetime(2026, month, day, hour, minute, tzinfo=UTC)
        conversation: dict[str, Any] = {
            "from": author, "to": recipients, "subject": thread["subject"],
            "body": thread["body"], "group_conversation": group, "created_at": _iso(start),
        }  # fmt: skip
        if context:
            conversation["context_code"] = context
        if thread.get("attachments"):
            conversation["attachments"] = _attachments(thread["attachments"])
        if thread.get("media"):
            conversation["media_comment"] = dict(thread["media"])
        if thread.get("forward_of"):
            conversation["forward_of"] = thread["forward_of"]
        moment, replies = start, []
        reply_files = thread.get("reply_attachments", {})
        for index, (hours, who, body) in enumerate(thread.get("replies", ())):
            moment = moment + timedelta(hours=hours)
            if moment.hour < 7:  # people answer in the morning, not at 3 am
                moment = moment.replace(hour=7 + moment.hour % 3)
            moment = min(moment, TODAY - timedelta(minutes=5))
            reply: dict[str, Any] = {"from": ID[who], "body": body, "created_at": _iso(moment)}
            if index in reply_files:
                reply["attachments"] = _attachments(reply_files[index])
            replies.append(reply)
        conversation["replies"] = replies
        members = _members(recipients, author)
        last = moment
        demo_in = DEMO_USER_ID in members
        unread = bool(thread.get("unread"))
        readers = {m for m in members if m != DEMO_USER_ID and self.rng.random() < 0.8}
        if demo_in and not unread:
            readers.add(DEMO_USER_ID)
        conversation["read_by"] = sorted(readers)
        starred = [DEMO_USER_ID] if demo_in and thread.get("star") else []
        archived = [DEMO_USER_ID] if demo_in and thread.get("archive") else []
        for member in members - {DEMO_USER_ID}:
            if self.rng.random() < 0.04:
                starred.append(member)
            elif last < TODAY - timedelta(days=40) and self.rng.random() < 0.06:
                archived.append(member)
        conversation["starred_by"] = sorted(starred)
        conversation["archived_by"] = sorted(archived)
        self.items.append((start, thread.get("key", ""), conversation))

    def seed_conversations(self) -> list[dict[str, Any]]:
        """In creation order, with forwards pointing at the index of what they forward."""
        self.items.sort(key=lambda item: item[0])
        index = {key: i for i, (_, key, _) in enumerate(self.items) if key}
        result = []
        for _, _, conversation in self.items:
            source = conversation.pop("forward_of", None)
            if source is not None:
                conversation["forwarded_from"] = index[source]
            result.append(conversation)
        return result


def _moment(rng: random.Random, start: datetime, end: datetime) -> tuple[int, int, int, int]:
    """A plausible time to write (7:00 to 22:59) between start and end."""
    span = int((end - start).total_seconds() // 3600)
    moment = start + timedelta(hours=rng.randrange(max(span, 1)))
    moment = moment.replace(hour=rng.randrange(7, 23), minute=rng.randrange(60))
    return (moment.month, moment.day, moment.hour, moment.minute)


def _fill(text: str, rng: random.Random, course: str, to: str, me: str) -> str:
    return text.format(
        course={"bio": "BIO 101", "hist": "HIST 210", "writ": "WRIT 090"}[course],
        topic=rng.choice(TOPICS[course]), day=rng.choice(WEEKDAYS),
        first=ADDRESS.get(to) or PEOPLE[to][1].split()[0], me=PEOPLE[me][1].split()[0],
        n=rng.randrange(2, 9),
    )  # fmt: skip


_BY_ID = {person[0]: handle for handle, person in PEOPLE.items()}
_STAFF_OF = {"bio": ("vasquez", "whitfield"), "hist": ("bell", "haddad")}
_ROSTER = {"bio": BIO_STUDENTS, "hist": HIST_STUDENTS}


def _announcements(rng: random.Random) -> list[Thread]:
    threads = []
    for course, bank in ANNOUNCEMENTS.items():
        step = (TODAY - timedelta(days=6) - TERM_START) / len(bank)
        for index, (subject, body, question, answer) in enumerate(bank):
            sender = _STAFF_OF[course][0 if rng.random() < 0.75 else 1]
            when = TERM_START + step * index + timedelta(days=rng.randrange(1, 4))
            replies = []
            if rng.random() < 0.35:
                asker = _BY_ID[rng.choice(_ROSTER[course][1:])]
                replies.append((rng.randrange(2, 20), asker, question))
                replies.append((rng.randrange(1, 6), sender, answer))
            threads.append({
                "from": sender, "to": [f"course_{course}_students"], "ctx": course,
                "group": True, "subject": subject,
                "body": _fill(body, rng, course, sender, sender) + "\n\n" + PEOPLE[sender][1],
                "when": (when.month, when.day, rng.randrange(8, 18), rng.randrange(60)),
                "replies": replies,
            })  # fmt: skip
    return threads


def _chatter(
    rng: random.Random, a: str, b: str, course: str, when: tuple[int, ...], pick: int | None = None
) -> Thread:
    subject, opener, replies = CHATTER[pick] if pick is not None else rng.choice(CHATTER)
    order = [b, a]
    return {
        "from": a, "to": [b], "ctx": course, "when": when,
        "subject": _fill(subject, rng, course, b, a), "body": _fill(opener, rng, course, b, a),
        "replies": [
            (rng.randrange(1, 12), order[i % 2], _fill(text, rng, course, a, b))
            for i, text in enumerate(replies)
        ],
    }  # fmt: skip


def _question(rng: random.Random, student: str, course: str, when: tuple[int, ...]) -> Thread:
    subject, question, answer = rng.choice(QUESTIONS)
    staff = rng.choice(_STAFF_OF[course])
    return {
        "from": student, "to": [staff], "ctx": course, "when": when,
        "subject": _fill(subject, rng, course, staff, student),
        "body": _fill(question, rng, course, staff, student),
        "replies": [(rng.randrange(2, 30), staff, _fill(answer, rng, course, student, staff))],
    }  # fmt: skip


def _everyday(rng: random.Random) -> list[Thread]:
    """Maya's everyday mail with classmates, and everybody else's mail with each other."""
    threads: list[Thread] = []
    recent = TODAY - timedelta(days=4)
    # Maya's own mail deals its templates like cards, so neighbours rarely repeat.
    deck = [index for _ in range(3) for index in rng.sample(range(len(CHATTER)), len(CHATTER))]
    for pick in deck[:42]:
        course = rng.choice(("bio", "hist"))
        other = _BY_ID[rng.choice(_ROSTER[course][1:])]
        when = _moment(rng, TERM_START, TODAY - timedelta(hours=18))
        a, b = ("me", other) if rng.random() < 0.4 else (other, "me")
        thread = _chatter(rng, a, b, course, when, pick)
        newest = datetime(2026, *when, tzinfo=UTC)
        thread["unread"] = newest >= recent and b == "me" and rng.random() < 0.7
        thread["star"] = rng.random() < 0.08
        thread["archive"] = newest < recent - timedelta(days=30) and rng.random() < 0.2
        threads.append(thread)
    for _ in range(8):  # Maya's own questions to staff: some of Sent
        course = rng.choice(("bio", "hist"))
        threads.append(_question(rng, "me", course, _moment(rng, TERM_START, recent)))
    for _ in range(180):
        course = rng.choice(("bio", "hist"))
        student = _BY_ID[rng.choice(_ROSTER[course][1:])]
        when = _moment(rng, TERM_START, TODAY - timedelta(hours=6))
        if rng.random() < 0.55:
            threads.append(_question(rng, student, course, when))
        else:
            other = _BY_ID[rng.choice([s for s in _ROSTER[course][1:] if _BY_ID[s] != student])]
            threads.append(_chatter(rng, student, other, course, when))
    return threads


def demo_seed() -> dict[str, Any]:
    """The demo school as a seed; the same result on every call."""
    rng = random.Random(RANDOM_SEED)
    builder = _Builder(rng)
    for thread in [*THREADS, *CONCLUDED, *_announcements(rng), *_everyday(rng)]:
        builder.add(thread)
    return {
        "users": _users(),
        "courses": _courses(),
        "groups": _groups(),
        "conversations": builder.seed_conversations(),
    }
