"""The exception tree of the Canvas client, and how Canvas's answers map onto it.

    CanvasError                 base; str() is one clean line, never the token
    ├── AuthenticationError     401: no, invalid or revoked token (log in again)
    │   └── ExpiredToken        401 "Expired access token."
    ├── Forbidden               403 "unauthorized" (401 with that shape on older servers),
    │                           or a token without the scope for this route
    ├── NotFound                404: no such conversation, or not yours
    ├── ValidationError         400 (and the 401s that carry field errors): Canvas refused
    │                           the input; .errors is a list of FieldError
    ├── Throttled               403 "Rate Limit Exceeded", still after backing off; Canvas
    │                           did not act on the request, so it is safe to retry later
    ├── ServerError             5xx
    ├── NetworkError            could not connect, or the connection failed mid-answer
    │   └── RequestTimeout      no answer in time
    └── UnexpectedResponse      an answer that is not Canvas's (HTML, bad JSON, another
                                host in a redirect or Link)

Every error carries ``status_code`` (None when no answer came), ``method`` and ``path``
(the URL path only: never the query, never the host's credentials).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

__all__ = [
    "AuthenticationError",
    "CanvasError",
    "ExpiredToken",
    "FieldError",
    "Forbidden",
    "NetworkError",
    "NotFound",
    "RequestTimeout",
    "ServerError",
    "Throttled",
    "UnexpectedResponse",
    "ValidationError",
]

_MAX_LINE = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
_SECRET_QUERY = re.compile(r"(?i)(access_token|api_key|verifier|token)=[^&\s\"']*")
_BEARER = re.compile(r"(?i)bearer\s+\S+")


def clean_line(text: str, *, secret: str | None = None) -> str:
    """One printable line of at most 300 characters, with secrets blanked out."""
    if secret:
        text = text.replace(secret, "***")
    text = _SECRET_QUERY.sub(r"\1=***", text)
    text = _BEARER.sub("Bearer ***", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) > _MAX_LINE:
        text = text[: _MAX_LINE - 1] + "…"
    return text


class CanvasError(Exception):
    """Base of every error the Canvas client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = clean_line(message) or type(self).__name__
        self.status_code = status_code
        self.method = method
        self.path = path
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        where = f" {self.method} {self.path}" if self.method else ""
        status = f" {self.status_code}" if self.status_code is not None else ""
        return f"<{type(self).__name__}{status}{where}: {self.message!r}>"


class AuthenticationError(CanvasError):
    """Canvas did not accept the token (missing, invalid, revoked): log in again."""


class ExpiredToken(AuthenticationError):
    """The token has expired: make a new one in Canvas."""


class Forbidden(CanvasError):
    """Authenticated, but not allowed (e.g. replies locked in a concluded course)."""


class NotFound(CanvasError):
    """No such resource, or not one the caller takes part in."""


class Throttled(CanvasError):
    """Canvas's rate limit, still after backing off. Canvas did not act on the request."""


class ServerError(CanvasError):
    """Canvas failed (5xx)."""


class NetworkError(CanvasError):
    """No usable answer: connection refused, reset, dropped mid-answer, TLS failure.

    ``maybe_sent`` is False only when the request certainly never reached Canvas (the
    connection could not be made); otherwise a POST may have been carried out.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
        maybe_sent: bool = True,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.maybe_sent = maybe_sent


class RequestTimeout(NetworkError):
    """No answer in time."""


class UnexpectedResponse(CanvasError):
    """The answer is not what Canvas sends: not JSON, the wrong shape, or a redirect or
    link to another host. ``redirect_to`` is that other origin (``https://host``) when
    a redirect was refused: a school's vanity address often redirects to its real one."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
        redirect_to: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.redirect_to = redirect_to


class FieldError(msgspec.Struct, frozen=True):
    """One of Canvas's field messages: ``attribute`` may be None (a general message) and,
    in a few Canvas answers, holds a whole sentence ("Course concluded")."""

    attribute: str | None
    message: str

    def __str__(self) -> str:
        attribute = clean_line(self.attribute or "")
        message = clean_line(_humanize(self.message))
        if attribute and message:
            return f"{attribute}: {message}"
        return attribute or message


class ValidationError(CanvasError):
    """Canvas refused the input. ``errors`` lists its field messages (may be empty:
    Canvas sometimes answers a bare ``{}``)."""

    def __init__(
        self,
        errors: list[FieldError],
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.errors = errors
        text = "; ".join(str(e) for e in errors if str(e))
        super().__init__(
            text or "Canvas refused the request without saying why",
            status_code=status_code,
            method=method,
            path=path,
        )


def _humanize(message: str) -> str:
    # Model errors come as codes ("too_long"); field errors as words ("invalid").
    if re.fullmatch(r"[a-z]+(_[a-z]+)+", message):
        return message.replace("_", " ")
    return message


# --- reading error bodies ------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return str(value)
    return ""


def field_errors(body: Any) -> list[FieldError] | None:
    """Canvas's field messages from any of its error shapes, or None when ``body`` is not
    an error body of Canvas's. Never raises, whatever ``body`` is.

    Shapes (§3.4): ``[{"attribute", "message"}]``; ``{"errors": {field: [{…}]}}``;
    ``{"message": …}``; ``{"errors": [{"message": …}]}``; and ``{}``.
    """
    if isinstance(body, list):
        out: list[FieldError] = []
        for item in body:
            if not isinstance(item, dict):
                return None
            out.append(FieldError(_text(item.get("attribute")) or None, _text(item.get("message"))))
        return out
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if isinstance(errors, dict):
        out = []
        for field, items in errors.items():
            entries = items if isinstance(items, list) else [items]
            for entry in entries:
                if isinstance(entry, dict):
                    attribute = _text(entry.get("attribute")) or str(field)
                    message = _text(entry.get("message")) or _text(entry.get("type"))
                else:
                    attribute, message = str(field), _text(entry)
                out.append(FieldError(attribute, message))
        return out
    if isinstance(errors, list):
        out = []
        for entry in errors:
            if isinstance(entry, dict):
                out.append(FieldError(None, _text(entry.get("message"))))
            elif isinstance(entry, str):
                out.append(FieldError(None, entry))
        return out
    if isinstance(errors, str):
        return [FieldError(None, errors)]
    if "message" in body:
        return [FieldError(None, _text(body.get("message")))]
    if not body:
        return []
    return None


def _first_message(body: Any) -> str:
    errors = field_errors(body) or []
    return "; ".join(str(e) for e in errors if str(e))


def error_for_status(
    status: int,
    content_type: str,
    content: bytes,
    *,
    method: str,
    path: str,
    www_authenticate: str | None = None,
    secret: str | None = None,
) -> CanvasError:
    """The exception for a Canvas answer with status >= 400. Never raises itself."""
    where = {"status_code": status, "method": method, "path": path}
    body: Any = None
    is_json = False
    try:
        body = msgspec.json.decode(content)
        is_json = True
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, RecursionError):
        pass

    def said(default: str) -> str:
        text = _first_message(body) if is_json else ""
        return clean_line(text, secret=secret) or default

    if is_rate_limit(status, content_type, content):
        return Throttled(f"Canvas is rate-limiting requests ({status})", **where)
    status_shape = body.get("status") if isinstance(body, dict) else None
    if status in (401, 403) and status_shape == "unauthorized":
        return Forbidden(said("You are not allowed to do that"), **where)
    if status in (400, 401, 422) and is_json and isinstance(body, list):
        # Field errors; some arrive as 401 (e.g. "Course concluded") and are still
        # about the input, not the token.
        errors = field_errors(body)
        if errors is not None:
            return ValidationError(_scrub(errors, secret), **where)
    if status == 401:
        text = said("")
        lower = text.lower()
        if "expired" in lower:
            return ExpiredToken(text or "Expired access token.", **where)
        if "insufficient scopes" in lower:
            return Forbidden(text, **where)
        if is_json or www_authenticate:
            return AuthenticationError(text or "Canvas did not accept the token", **where)
        return UnexpectedResponse("401 without a Canvas error body", **where)
    if status == 403:
        return Forbidden(said("You are not allowed to do that"), **where)
    if status == 404:
        if not is_json:
            return UnexpectedResponse("404 and not Canvas's JSON: is this a Canvas site?", **where)
        return NotFound(said("The specified resource does not exist."), **where)
    if 500 <= status < 600:
        return ServerError(f"Canvas failed ({status}): {said('server error')}", **where)
    if 400 <= status < 500 and is_json:
        errors = field_errors(body)
        if errors is not None:
            return ValidationError(_scrub(errors, secret), **where)
    return UnexpectedResponse(f"Unexpected answer {status} from Canvas", **where)


def _scrub(errors: list[FieldError], secret: str | None) -> list[FieldError]:
    if not secret:
        return errors
    return [
        FieldError(
            None if e.attribute is None else e.attribute.replace(secret, "***"),
            e.message.replace(secret, "***"),
        )
        for e in errors
    ]


def is_rate_limit(status: int, content_type: str, content: bytes) -> bool:
    """Canvas's throttled answer: 403, text/plain, "403 Forbidden (Rate Limit Exceeded)".
    A 429 (what a proxy in front of Canvas would send) counts too."""
    if status == 429:
        return True
    if status != 403:
        return False
    if "json" in content_type.lower():
        return False
    return b"rate limit exceeded" in content[:200].lower()
