"""§5 and §7 as a state machine: random sequences of sends, replies, reads, stars, archives,
deletes and mark-all by three users, checked after every step against a small model of
each user's row (state, star, visibility, count, own message) — scopes and unread_count."""

from __future__ import annotations

from dataclasses import dataclass

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    multiple,
    rule,
)

from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import run_sandbox
from tests.sandbox import seeds
from tests.sandbox.seeds import SAM, SUE, TINA
from tests.sandbox.spec_http import Caller

PEOPLE = (TINA, SAM, SUE)
people = st.sampled_from(PEOPLE)


@dataclass
class Row:
    """One user's view of one conversation, as the spec defines it (§2)."""

    state: str = "read"
    starred: bool = False
    visible: bool = False  # last_message_at is not null
    count: int = 0  # non-generated messages visible to the user
    own: int = 0  # the user's own visible messages (sent needs one)
    subscribed: bool = True

    def receive(self) -> None:
        """§7.2/§6.7: a new message from someone else: a subscribed (or never-visible)
        participant turns unread and visible; an unsubscribed one only counts it."""
        if self.subscribed or not self.visible:
            self.state = "unread"
            self.visible = True
        self.count += 1

    def author(self) -> None:
        """§7.2: the author's count and authored time move; state and visibility don't."""
        self.count += 1
        self.own += 1

    def delete(self) -> None:
        """§4.7: reset: count 0, invisible, read if unread, star cleared."""
        if self.state == "unread":
            self.state = "read"
        self.starred = False
        self.visible = False
        self.count = 0
        self.own = 0


class InboxMachine(RuleBasedStateMachine):
    conversations = Bundle("conversations")

    def __init__(self) -> None:
        super().__init__()
        self._context = run_sandbox(SandboxOptions(seed=seeds.school()))
        sandbox = self._context.__enter__()
        self.callers = {uid: Caller(sandbox.api, sandbox.token(uid), uid) for uid in PEOPLE}
        self.rows: dict[int, dict[int, Row]] = {}  # conversation id → user → row

    def teardown(self) -> None:
        for caller in self.callers.values():
            caller.close()
        self._context.__exit__(None, None, None)

    @initialize(target=conversations)
    def first(self) -> object:
        return multiple(self._create(TINA))

    def _create(self, sender: int) -> int:
        others = [u for u in PEOPLE if u != sender]
        conv = self.callers[sender].create(others, "start", group_conversation=True)
        rows = {u: Row() for u in PEOPLE}
        rows[sender].author()
        for u in others:
            rows[u].receive()
        self.rows[conv["id"]] = rows
        return conv["id"]

    @rule(target=conversations, sender=people)
    def create(self, sender: int) -> int:
        return self._create(sender)

    @rule(cid=conversations, author=people)
    def reply(self, cid: int, author: int) -> None:
        # add_message also finds a conversation its author deleted (§4 lookup).
        r = self.callers[author].post(f"conversations/{cid}/add_message", {"body": "more"})
        assert r.status_code == 200, r.text
        for uid, row in self.rows[cid].items():
            if uid == author:
                row.author()
            else:
                row.receive()

    @rule(cid=conversations, author=people, to=people)
    def reply_to_one(self, cid: int, author: int, to: int) -> None:
        """§4.9: with recipients, only they (and the author) get the message."""
        r = self.callers[author].post(
            f"conversations/{cid}/add_message", {"body": "just you", "recipients": [to]}
        )
        assert r.status_code == 200, r.text
        self.rows[cid][author].author()
        if to != author:
            self.rows[cid][to].receive()

    @rule(cid=conversations, uid=people)
    def unsubscribe(self, cid: int, uid: int) -> None:
        """§4.5/§6.7: unsubscribing turns unread into read (an already unsubscribed row that
        new mail made unread — it was never visible — stays unread)."""
        row = self.rows[cid][uid]
        r = self.callers[uid].put(f"conversations/{cid}", {"conversation[subscribed]": "false"})
        if row.count == 0:
            assert r.status_code == 404
            return
        assert r.json()["subscribed"] is False
        if row.subscribed and row.state == "unread":
            row.state = "read"  # only the change does it: a second unsubscribe is a no-op
        row.subscribed = False
        assert r.json()["workflow_state"] == row.state

    @rule(cid=conversations, uid=people, state=st.sampled_from(["read", "unread", "archived"]))
    def set_state(self, cid: int, uid: int, state: str) -> None:
        row = self.rows[cid][uid]
        r = self.callers[uid].put(f"conversations/{cid}", {"conversation[workflow_state]": state})
        if row.count == 0:
            assert r.status_code == 404
            return
        assert r.status_code == 200, r.text
        assert r.json()["workflow_state"] == state
        row.state = state

    @rule(cid=conversations, uid=people, starred=st.booleans())
    def star(self, cid: int, uid: int, starred: bool) -> None:
        row = self.rows[cid][uid]
        r = self.callers[uid].put(f"conversations/{cid}", {"conversation[starred]": starred})
        if row.count == 0:
            assert r.status_code == 404
            return
        assert r.json()["starred"] is starred
        assert r.json()["workflow_state"] == row.state  # §5: the star is independent
        row.starred = starred

    @rule(cid=conversations, uid=people)
    def read(self, cid: int, uid: int) -> None:
        """§4.4: show marks an unread row read (visible or not)."""
        row = self.rows[cid][uid]
        r = self.callers[uid].get(f"conversations/{cid}")
        if row.count == 0:
            assert r.status_code == 404
            return
        if row.state == "unread":
            row.state = "read"
        body = r.json()
        assert body["workflow_state"] == row.state
        assert body["message_count"] == row.count
        assert len([m for m in body["messages"] if not m["generated"]]) == row.count

    @rule(
        cid=conversations,
        uid=people,
        event=st.sampled_from(
            ["mark_as_read", "mark_as_unread", "star", "unstar", "archive", "destroy"]
        ),
    )
    def batch_update(self, cid: int, uid: int, event: str) -> None:
        """§4.12: the batch events, applied through a Progress that completes."""
        row = self.rows[cid][uid]
        if row.count == 0:
            return  # what a batch does to a deleted row is not specified
        caller = self.callers[uid]
        r = caller.put("conversations", {"conversation_ids": [cid], "event": event})
        assert r.status_code == 200, r.text
        done = caller.http.get(r.json()["url"]).json()
        assert done["workflow_state"] == "completed", done
        if event == "destroy":
            row.delete()
        elif event in {"star", "unstar"}:
            row.starred = event == "star"
        else:
            row.state = {"mark_as_read": "read", "mark_as_unread": "unread"}.get(event, "archived")

    @rule(cid=conversations, uid=people)
    def delete(self, cid: int, uid: int) -> None:
        row = self.rows[cid][uid]
        r = self.callers[uid].delete(f"conversations/{cid}")
        assert r.status_code == (404 if row.count == 0 else 200)
        row.delete()

    @rule(uid=people)
    def mark_all_read(self, uid: int) -> None:
        assert self.callers[uid].post("conversations/mark_all_as_read").status_code == 200
        for rows in self.rows.values():
            row = rows[uid]
            if row.visible and row.count and row.state == "unread":
                row.state = "read"

    @rule(cid=consumes(conversations))
    def forget(self, cid: int) -> None:
        """Stop acting on a conversation (keeps the bundle small); it is still checked."""

    # A rule rather than an invariant: checking after every step costs 18 requests, so the
    # machine checks now and then and can afford many more steps per example.
    @rule()
    def scopes_and_counts_match_the_model(self) -> None:
        for uid, caller in self.callers.items():
            mine = {cid: rows[uid] for cid, rows in self.rows.items()}
            live = {cid: row for cid, row in mine.items() if row.count > 0}
            expected = {
                "inbox": {c for c, r in live.items() if r.visible and r.state != "archived"},
                "unread": {c for c, r in live.items() if r.visible and r.state == "unread"},
                "archived": {c for c, r in live.items() if r.visible and r.state == "archived"},
                "starred": {c for c, r in live.items() if r.starred},
                "sent": {c for c, r in live.items() if r.own},
            }
            for scope, ids in expected.items():
                r = caller.get(
                    "conversations",
                    {"scope": scope, "include_all_conversation_ids": "1", "per_page": 1},
                )
                assert set(r.json()["conversation_ids"]) == ids, (uid, scope)
            assert caller.unread_count() == str(len(expected["unread"])), uid


InboxMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_5_state_machine = InboxMachine.TestCase
