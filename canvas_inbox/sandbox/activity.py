"""``--activity SECONDS``: now and then someone who shares a course with the demo user
writes to them (a new conversation or a reply), through the same engine as the API, so
the inbox is alive and live events fire. Deterministic for a given ``random_seed``."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from canvas_inbox.sandbox.db import Database, precise_now
from canvas_inbox.sandbox.engine.create import CreateRequest, create
from canvas_inbox.sandbox.engine.reply import Reply, reply
from canvas_inbox.sandbox.http import ApiError
from canvas_inbox.sandbox.roster import Roster

log = logging.getLogger("canvas_inbox.sandbox")


def target_user(team: Roster) -> int | None:
    """Whom the activity writes to: the demo user if seeded, else the first user."""
    from canvas_inbox.sandbox.demo_school import DEMO_USER_ID

    if DEMO_USER_ID in team.users:
        return DEMO_USER_ID
    return min(team.users) if team.users else None


def write_once(db: Database, team: Roster, rng: random.Random, target: int) -> int | None:
    """One piece of activity; returns the new message id, or None when nobody can write."""
    from canvas_inbox.sandbox.demo_school import ACTIVITY

    courses = sorted(
        e.course_id for e in team.by_user.get(target, ()) if team.current_types(target, e.course_id)
    )
    writers = sorted(
        {
            u
            for course_id in courses
            for u in team.course_users(course_id)
            if u != target and target in team.messageable(u)
        }
    )
    if not writers or not ACTIVITY:
        return None
    author = rng.choice(writers)
    subject, body = ACTIVITY[rng.randrange(len(ACTIVITY))]
    now = precise_now()
    with db.write() as tx:
        shared = tx.conn.execute(
            "SELECT a.*, c.private_hash, c.context_type, c.context_id"
            " FROM conversation_participants a"
            " JOIN conversation_participants b ON b.conversation_id = a.conversation_id"
            " JOIN conversations c ON c.id = a.conversation_id"
            " WHERE a.user_id = ? AND b.user_id = ? AND b.message_count > 0"
            # Small threads only: nobody replies-all to a whole class out of the blue.
            " AND (SELECT count(*) FROM conversation_participants p"
            " WHERE p.conversation_id = a.conversation_id) <= 4"
            " ORDER BY a.conversation_id",
            (author, target),
        ).fetchall()
        if shared and rng.random() < 0.4:
            row = rng.choice(shared)
            try:
                return reply(tx, team, row, Reply(author=author, body=body), now)
            except ApiError:
                pass  # replies locked there: start a new conversation instead
        course_id = rng.choice([c for c in courses if author in team.course_users(c)])
        request = CreateRequest(
            sender=author,
            recipients=[str(target)],
            body=body,
            subject=subject,
            context_code=f"course_{course_id}",
        )
        try:
            return create(tx, team, request, now).message_id
        except ApiError as error:
            log.debug("activity message refused: %s", error)
            return None


async def run_activity(state: Any, seconds: float, random_seed: int) -> None:
    """Run until cancelled; each pause is the interval give or take half of it."""
    rng = random.Random(random_seed)
    while True:
        await asyncio.sleep(seconds * rng.uniform(0.5, 1.5))
        team: Roster = state.roster
        target = target_user(team)
        if target is None:
            continue
        try:
            write_once(state.db, team, rng, target)
        except Exception:  # the demo carries on whatever one message does
            log.exception("activity failed")
