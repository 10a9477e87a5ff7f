"""The inbox's writing actions: compose, reply, reply all, forward, drafts and outbox.

Kept apart from inbox.py (reading and changing conversations) so each stays readable;
the composer itself lives in ``canvas_inbox.ui.compose``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from canvas_inbox.service import Draft, OutboxItem

if TYPE_CHECKING:
    from canvas_inbox.ui.app import CanvasInboxApp
    from canvas_inbox.ui.widgets.thread_view import ThreadView


class WritingActions:
    if TYPE_CHECKING:
        inbox_app: CanvasInboxApp
        thread_view: ThreadView

    def action_compose(self) -> None:
        self.inbox_app.open_composer("new")

    def action_reply(self) -> None:
        self.inbox_app.open_composer("reply", self.thread_view.thread)

    def action_reply_all(self) -> None:
        self.inbox_app.open_composer("reply_all", self.thread_view.thread)

    def action_forward(self) -> None:
        self.inbox_app.open_composer("forward", self.thread_view.thread)

    def action_drafts(self) -> None:
        from canvas_inbox.ui.screens.drafts import DraftsScreen

        def chosen(draft: Draft | None) -> None:
            if draft is not None:
                self.inbox_app.resume_draft(draft)

        self.inbox_app.push_screen(DraftsScreen(self.inbox_app.service), chosen)

    def action_outbox(self) -> None:
        from canvas_inbox.ui.screens.outbox import OutboxScreen

        def chosen(item: OutboxItem | None) -> None:
            if item is not None:  # "edit": back into the composer with its draft
                self.inbox_app.resume_draft(item.draft)

        self.inbox_app.push_screen(OutboxScreen(self.inbox_app.service), chosen)

    def action_accounts(self) -> None:
        self.inbox_app.open_accounts()
