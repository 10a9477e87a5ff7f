"""The two always-visible bars: the header (who, unread count, connection, progress)
and the scope bar (which list, which course or group)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from canvas_inbox.service import SCOPES, Scope
from canvas_inbox.ui.safe_text import one_line

SCOPE_LABELS: dict[Scope, str] = {
    "inbox": "Inbox",
    "unread": "Unread",
    "starred": "Starred",
    "sent": "Sent",
    "archived": "Archived",
}


class HeaderBar(Widget):
    user: reactive[str] = reactive("")
    unread: reactive[int | None] = reactive(None)
    online: reactive[bool] = reactive(True)
    reason: reactive[str] = reactive("")
    progress: reactive[str] = reactive("")
    unsent: reactive[int] = reactive(0)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" Canvas Inbox", Style(bold=True))
        if self.user:
            text.append("  ")
            text.append(one_line(self.user))
        if self.unread is not None:
            text.append("  ")
            text.append(f"{self.unread} unread", Style(bold=self.unread > 0))
        if not self.online:
            # Words, not only a colour: "offline" must read on a monochrome terminal.
            text.append("  ")
            text.append(" ⚠ offline ", Style(bold=True, reverse=True))
        if self.unsent:
            text.append("  ")
            text.append(f" ✉ {self.unsent} unsent (O) ", Style(bold=True, reverse=True))
        if self.reason:
            text.append("  ")
            text.append(one_line(self.reason), Style(italic=True))
        if self.progress:
            text.append("  ")
            text.append(self.progress, Style(dim=True))
        return text


class ScopeBar(Widget):
    scope: reactive[Scope] = reactive("inbox")
    context_name: reactive[str] = reactive("")
    selection: reactive[int] = reactive(0)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for number, scope in enumerate(SCOPES, 1):
            label = f" {number} {SCOPE_LABELS[scope]} "
            if scope == self.scope:
                text.append(f"[{label.strip()}]", Style(bold=True, reverse=True))
            else:
                text.append(label, Style(dim=True))
        text.append("   \\ ", Style(dim=True))
        text.append(one_line(self.context_name) or "All courses and groups", Style(bold=True))
        if self.selection:
            text.append(f"   {self.selection} selected", Style(bold=True))
        return text


class KeyFooter(Footer):
    """A footer that rebuilds only when the keys it shows change. Textual's rebuilds its
    key widgets on every focus change, which made opening a thread cost a frame."""

    _shown: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = tuple(
            (binding.key, binding.description, enabled)
            for (_, binding, enabled, _) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)
