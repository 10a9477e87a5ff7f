"""Small, explicit worlds for the spec tests, in DESIGN.md's seed format.

Every test names the people it talks about by these constants, so a reader can check an
expectation against the world without running anything.
"""

from __future__ import annotations

import copy
from typing import Any

# People. Ids are chosen so that "ordered by id" and "ordered by name" differ where a
# test depends on it.
TINA = 1  # teacher in BIO (10), HIS (20, concluded) and CHEM (40)
TARIQ = 2  # TA in BIO and HIS
SAM = 3  # student in BIO section A, HIS, and the Lab Team group
SUE = 4  # student in BIO section A and the Lab Team group
STAN = 5  # student in BIO section B
OLIVE = 6  # observer in BIO, observing Sam
DEE = 7  # designer in BIO
LOU = 8  # shares nothing with anybody
CARL = 9  # student in CHEM only (shares CHEM with Tina, nothing with the students)
CORA = 11  # student in HIS only (a concluded course): messageable by nobody

BIO = 10  # available, two sections
SECTION_A = 101
SECTION_B = 102
HIS = 20  # completed
CHEM = 40  # available
LAB_TEAM = 30  # a group inside BIO: Sam and Sue

NO_SUCH_USER = 999_999
NO_SUCH_CONVERSATION = 987_654


def _user(uid: int, first: str, last: str) -> dict[str, Any]:
    return {
        "id": uid,
        "name": f"{first} {last}",
        "short_name": first,
        "sortable_name": f"{last}, {first}",
        "login_id": f"{first.lower()}@example.edu",
        "token": f"token-{first.lower()}",
        "pronouns": None,
    }


USERS: list[dict[str, Any]] = [
    _user(TINA, "Tina", "Teacher"),
    _user(TARIQ, "Tariq", "Assistant"),
    _user(SAM, "Sam", "Student"),
    _user(SUE, "Sue", "Student"),
    _user(STAN, "Stan", "Student"),
    _user(OLIVE, "Olive", "Observer"),
    _user(DEE, "Dee", "Designer"),
    _user(LOU, "Lou", "Loner"),
    _user(CARL, "Carl", "Chemist"),
    _user(CORA, "Cora", "Concluded"),
]

NAMES = {u["id"]: u["name"] for u in USERS}
SHORT = {u["id"]: u["short_name"] for u in USERS}
TOKENS = {u["id"]: u["token"] for u in USERS}

COURSES: list[dict[str, Any]] = [
    {
        "id": BIO,
        "name": "Biology 101",
        "course_code": "BIO101",
        "workflow_state": "available",
        "sections": [
            {"id": SECTION_A, "name": "Section A"},
            {"id": SECTION_B, "name": "Section B"},
        ],
        "enrollments": [
            {"user_id": TINA, "type": "TeacherEnrollment", "section_id": SECTION_A},
            {"user_id": TARIQ, "type": "TaEnrollment", "section_id": SECTION_A},
            {"user_id": SAM, "type": "StudentEnrollment", "section_id": SECTION_A},
            {"user_id": SUE, "type": "StudentEnrollment", "section_id": SECTION_A},
            {"user_id": STAN, "type": "StudentEnrollment", "section_id": SECTION_B},
            {
                "user_id": OLIVE,
                "type": "ObserverEnrollment",
                "observed_user_id": SAM,
                "section_id": SECTION_A,
            },
            {"user_id": DEE, "type": "DesignerEnrollment", "section_id": SECTION_A},
        ],
    },
    {
        "id": HIS,
        "name": "History 200",
        "course_code": "HIS200",
        "workflow_state": "completed",
        "sections": [{"id": 201, "name": "History Main"}],
        "enrollments": [
            {"user_id": TINA, "type": "TeacherEnrollment"},
            {"user_id": TARIQ, "type": "TaEnrollment"},
            {"user_id": SAM, "type": "StudentEnrollment"},
            {"user_id": CORA, "type": "StudentEnrollment"},
        ],
    },
    {
        "id": CHEM,
        "name": "Chemistry 150",
        "course_code": "CHEM150",
        "workflow_state": "available",
        "sections": [{"id": 401, "name": "Chem Main"}],
        "enrollments": [
            {"user_id": TINA, "type": "TeacherEnrollment"},
            {"user_id": CARL, "type": "StudentEnrollment"},
        ],
    },
]

GROUPS: list[dict[str, Any]] = [
    {"id": LAB_TEAM, "name": "Lab Team", "course_id": BIO, "members": [SAM, SUE]},
]


def school(conversations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The base world, optionally with seeded conversations (played through the API rules)."""
    seed: dict[str, Any] = {
        "users": copy.deepcopy(USERS),
        "courses": copy.deepcopy(COURSES),
        "groups": copy.deepcopy(GROUPS),
    }
    if conversations:
        seed["conversations"] = copy.deepcopy(conversations)
    return seed


# A dated history for the ordering rules (§4.1, §7.3): three conversations that reach
# Tina on different days, one of them in the concluded course.
DATED = [
    {
        "from": SAM,
        "to": [str(TINA)],
        "subject": "Alpha",
        "body": "alpha from Sam",
        "created_at": "2026-09-01T10:00:00Z",
    },
    {
        "from": SUE,
        "to": [str(TINA)],
        "subject": "Bravo",
        "body": "bravo from Sue",
        "created_at": "2026-09-02T10:00:00Z",
    },
    {
        "from": TINA,
        "to": [str(SAM), str(SUE)],
        "subject": "Charlie",
        "body": "charlie from Tina",
        "group_conversation": True,
        "context_code": f"course_{BIO}",
        "created_at": "2026-09-03T10:00:00Z",
        "replies": [
            {"from": SAM, "body": "charlie reply from Sam", "created_at": "2026-09-04T09:00:00Z"}
        ],
    },
]

# Replies locked (§6.6): a thread in the concluded History course. Only instructors may
# still be written to there (a teacher keeps no send_messages right in a completed course),
# so it is between the teacher and the TA.
CONCLUDED = [
    {
        "from": TINA,
        "to": [str(TARIQ)],
        "subject": "Final grades",
        "body": "Your final grade is in.",
        "group_conversation": True,
        "context_code": f"course_{HIS}",
        "created_at": "2026-06-01T10:00:00Z",
    }
]


def many_to_sam(n: int) -> list[dict[str, Any]]:
    """n separate group conversations from Tina to Sam, one per day (newest is the last)."""
    return [
        {
            "from": TINA,
            "to": [str(SAM)],
            "subject": f"Note {i:02d}",
            "body": f"note number {i}",
            "group_conversation": True,
            "created_at": f"2026-09-{i + 1:02d}T08:00:00Z",
        }
        for i in range(n)
    ]


BIG = 60  # a course with 101 students: past the 100-recipient limits
BIG_FIRST_STUDENT = 1000
BIG_STUDENTS = 101


def big_school() -> dict[str, Any]:
    """Tina teaches a 101-student course (ids 1000..1100) for the size limits."""
    seed = school()
    students = [_user(BIG_FIRST_STUDENT + i, f"Pupil{i:03d}", "Crowd") for i in range(BIG_STUDENTS)]
    seed["users"].extend(students)
    seed["courses"].append(
        {
            "id": BIG,
            "name": "Lecture Hall",
            "course_code": "HALL",
            "workflow_state": "available",
            "enrollments": [{"user_id": TINA, "type": "TeacherEnrollment"}]
            + [{"user_id": s["id"], "type": "StudentEnrollment"} for s in students],
        }
    )
    return seed


QUIET = 50  # a course where students may not message each other (send_messages off)


def quiet_school() -> dict[str, Any]:
    """The base world plus a course whose students lack send_messages (the engine's seed
    extension ``students_can_message: false``), for §4.2 step 6 and §6.6."""
    seed = school()
    seed["courses"].append(
        {
            "id": QUIET,
            "name": "Quiet Seminar",
            "course_code": "QUIET",
            "workflow_state": "available",
            "students_can_message": False,
            "enrollments": [
                {"user_id": TINA, "type": "TeacherEnrollment"},
                {"user_id": SAM, "type": "StudentEnrollment"},
                {"user_id": SUE, "type": "StudentEnrollment"},
            ],
        }
    )
    return seed
