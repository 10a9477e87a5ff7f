"""The composer: new messages, replies, forwards, drafts and the review before sending."""

from canvas_inbox.ui.compose import drafting
from canvas_inbox.ui.compose.screen import ComposeScreen

__all__ = ["ComposeScreen", "drafting"]
