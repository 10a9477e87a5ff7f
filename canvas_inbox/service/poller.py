"""The unread-count poller: the cheapest question Canvas answers (one small GET), asked
often while the user is active and less and less often while nothing happens. When the
answer changes, the first page of the inbox is fetched and merged, so new mail appears
without a full reload.

Rates: ``poll_interval`` while in use; doubling up to ``idle_poll_max`` when nothing
changed and the user did nothing; at once after any user action (``Core.touch``) or a
Live Event (``wake``). Unreachable: retry after 2, 4, 8… s up to ``offline_retry_max``.
"""

from __future__ import annotations

import asyncio
import time

from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.core import Core, log
from canvas_inbox.service.gateway import TokenRejected, Unreachable, talk
from canvas_inbox.service.sync import Sync

FIRST_RETRY = 2.0
RESUME_CHECK = 15.0  # seconds between looks at the wall clock while sleeping


class Poller:
    def __init__(self, core: Core, sync: Sync) -> None:
        self.core = core
        self.sync = sync
        self.interval = core.settings.poll_interval
        self.polls = 0
        self._wake = asyncio.Event()
        self._refresh_wanted = False

    def wake(self, *, refresh: bool = False) -> None:
        """Poll now (a Live Event, a write that may have changed the count)."""
        self._refresh_wanted = self._refresh_wanted or refresh
        self._wake.set()

    async def poll_once(self) -> bool:
        """One round: the count, and the first page if it moved. True if anything changed."""
        count = await talk(self.core, self.core.api.unread_count())
        self.polls += 1
        changed = count != self.core.unread
        self.core.set_unread(count)
        refresh, self._refresh_wanted = self._refresh_wanted, False
        if changed or refresh:
            try:
                fresh = await self.sync.first_page("inbox")
            except BaseException:
                # The count moved but the rows did not arrive: next round, fetch them even
                # if the count stays put (else the new mail would wait for the next change).
                self._refresh_wanted = True
                raise
            changed = changed or bool(fresh)
        return changed

    async def run(self, *, polled: bool = False) -> None:
        """Poll until the service closes; ``polled``: a round was just done (start-up)."""
        settings = self.core.settings
        retry = FIRST_RETRY
        last_seen = self.core.actions_seen
        if polled:
            await self._wait(self.interval)
        while not self.core.closing:
            try:
                changed = await self.poll_once()
            except TokenRejected:
                # Nothing will work until the user logs in again; check rarely.
                await self._wait(settings.idle_poll_max)
                continue
            except Unreachable:
                self._refresh_wanted = True  # back online: look at the top of the inbox
                await self._wait(retry)
                retry = min(retry * 2, settings.offline_retry_max)
                continue
            except ServiceError as error:  # refused: odd for unread_count, but keep going
                log.warning("unread count: %s", error)
                changed = False
            except Exception:
                log.exception("poller round failed")
                changed = False
            retry = FIRST_RETRY
            active = self.core.actions_seen != last_seen
            last_seen = self.core.actions_seen
            if changed or active:
                self.interval = settings.poll_interval
            else:
                self.interval = min(self.interval * 2, settings.idle_poll_max)
            await self._wait(self.interval)

    async def _wait(self, seconds: float) -> None:
        """Sleep, but wake early for user activity, an explicit wake(), or a resume."""
        activity = self.core.activity
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(activity.wait())]
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait([sleeper, *waiters], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, *waiters):
                task.cancel()
            self._wake.clear()
            activity.clear()

    async def _sleep(self, seconds: float) -> None:
        """The event loop's clock stops while the machine sleeps; the wall clock does not.
        In real time, sleep in slices and end early when the wall clock jumped (the laptop
        was resumed): the mail that came meanwhile should show at once."""
        if self.core.settings.sleep is not None:
            await self.core.sleep(seconds)
            return
        remaining = seconds
        while remaining > 0:
            step = min(remaining, RESUME_CHECK)
            before = time.time()
            await asyncio.sleep(step)
            if time.time() - before > step + RESUME_CHECK:
                return
            remaining -= step
