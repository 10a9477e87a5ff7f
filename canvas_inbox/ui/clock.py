"""Dates as the inbox shows them, relative to an injectable "now".

Every date on screen goes through ``short_date``/``long_date`` with "now" taken from the
app's clock, so snapshot tests and screenshots can freeze time and stay byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def frozen_clock(at: datetime) -> Clock:
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    return lambda: moment


def _local(when: datetime, now: datetime) -> datetime:
    # Shown in now's timezone, so a frozen UTC clock gives the same text on every machine.
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(now.tzinfo or UTC)


def short_date(when: datetime | None, now: datetime) -> str:
    """At most 6 cells: "14:05" today, "Mon" this week, "Sep 3" this year, "2025" before."""
    if when is None:
        return ""
    when = _local(when, now)
    if when.date() == now.date():
        return when.strftime("%H:%M")
    if timedelta(0) < now - when < timedelta(days=6):
        return when.strftime("%a")
    if when.year == now.year:
        return f"{when:%b} {when.day}"
    return str(when.year)


def long_date(when: datetime | None, now: datetime) -> str:
    """For message headers: "Mon Sep 3, 14:05 (2 h ago)"."""
    if when is None:
        return ""
    when = _local(when, now)
    stamp = f"{when:%a %b} {when.day}, {when:%H:%M}"
    if when.year != now.year:
        stamp = f"{when:%a %b} {when.day} {when.year}, {when:%H:%M}"
    return f"{stamp} ({ago(when, now)})"


def ago(when: datetime, now: datetime) -> str:
    seconds = (now - _local(when, now)).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"
