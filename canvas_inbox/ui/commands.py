"""The command palette: every inbox action by name, offered only where it would work
(reply only with a thread open, and so on), with its current key beside it."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from canvas_inbox.ui.keymap import COMPOSE_KEYS, INBOX_KEYS, KeySpec, display_keys, keys_for

ATTACH = KeySpec("compose-attach", "attach", "Attach a file", "ctrl+t", "Composer")


class InboxCommands(Provider):
    def _available(self) -> list[KeySpec]:
        from canvas_inbox.ui.screens.inbox import InboxScreen

        screen = self.screen
        if type(screen).__name__ == "ComposeScreen":
            # The composer's own actions (it is imported only once opened).
            return [*COMPOSE_KEYS, ATTACH]
        if not isinstance(screen, InboxScreen):
            return []
        found = []
        for spec in INBOX_KEYS:
            name = spec.action.split("(")[0]
            if spec.id in {"next", "previous", "back"}:
                continue
            if screen.check_action(name, ()) is True:
                found.append(spec)
        return found

    async def _run(self, spec: KeySpec) -> None:
        await self.app.run_action(spec.action, self.screen)

    def _label(self, spec: KeySpec) -> tuple[str, str]:
        keymap: dict[str, str] = getattr(self.app, "key_map", {})
        return spec.description, f"key: {display_keys(keys_for(spec, keymap))}"

    async def discover(self) -> Hits:
        for spec in self._available():
            name, help_text = self._label(spec)
            yield DiscoveryHit(name, partial(self._run, spec), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for spec in self._available():
            name, help_text = self._label(spec)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, spec), help=help_text)
