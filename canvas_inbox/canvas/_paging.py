"""Canvas's pagination: the ``Link`` header (§8) and numbered-page arithmetic.

Canvas says: follow ``rel="next"`` literally. Where the header also names ``rel="last"``
and the pages are numbered (conversations, batches; not the bookmark pages of
recipients), the client may fetch the pages in between concurrently; the URLs it builds
are the ``next`` URL with only its ``page`` value changed, so every parameter Canvas put
there is kept.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["numbered_pages", "page_number", "parse_link_header", "same_origin"]

# One entry: <URL> followed by ;-separated parameters, up to the next comma outside <>.
_ENTRY = re.compile(r"<([^<>]*)>((?:\s*;[^,<]*)*)")
_REL = re.compile(r"""(?i);\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""")


def parse_link_header(value: str | None) -> dict[str, str]:
    """``{rel: url}`` for every entry of a Link header; the first URL of a rel wins.

    Tolerates spaces or no spaces after commas, quoted or bare rel values, several rels
    in one value (``rel="next last"``), and garbage (ignored). Never raises.
    """
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _ENTRY.finditer(value):
        url = match.group(1).strip()
        for rel_match in _REL.finditer(match.group(2)):
            rels = rel_match.group(1) if rel_match.group(1) is not None else rel_match.group(2)
            for rel in rels.lower().split():
                links.setdefault(rel, url)
    return links


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme)


def origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the default port filled in, or None if not a URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    return scheme, host, port if port is not None else _default_port(scheme)


def same_origin(url: str, base_url: str) -> bool:
    """True when ``url`` is on exactly the profile's scheme, host and port."""
    theirs = origin(url)
    return theirs is not None and theirs == origin(base_url)


def page_number(url: str) -> int | None:
    """The numeric ``page`` of a URL, or None (no page, or a ``bookmark:`` page)."""
    try:
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return None
    for key, value in query:
        if key == "page":
            return int(value) if value.isdigit() and len(value) < 10 else None
    return None


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [
        (key, str(page) if key == "page" else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def numbered_pages(links: dict[str, str]) -> list[str] | None:
    """The URLs of every page from ``next`` to ``last`` inclusive, when both are numbered
    and otherwise identical; None when the header does not allow it (follow ``next``)."""
    next_url, last_url = links.get("next"), links.get("last")
    if not next_url or not last_url:
        return None
    first, last = page_number(next_url), page_number(last_url)
    if first is None or last is None or last < first:
        return None
    if with_page(next_url, 0) != with_page(last_url, 0):
        return None
    return [with_page(next_url, n) for n in range(first, last + 1)]
