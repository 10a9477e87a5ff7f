"""Every request to Canvas goes through ``talk``: it turns the client's exception tree into
the service's two outcomes (a one-line ``ServiceError`` for the caller, and the
connection state for everyone), so no other part of the service catches httpx-level
failures itself.

Three kinds of failure, told apart because the user must react differently:
- unreachable or failing (network, 5xx, throttled, not-Canvas): "offline", retried by the
  poller with backoff; cached mail stays readable;
- the token is rejected: AuthExpired, nothing will work until the user logs in again;
- Canvas refused this one request (404, 403, validation): the connection is fine.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from canvas_inbox.canvas import (
    AuthenticationError,
    CanvasError,
    Forbidden,
    NetworkError,
    NotFound,
    ServerError,
    Throttled,
    UnexpectedResponse,
    ValidationError,
)
from canvas_inbox.service.api import ServiceError
from canvas_inbox.service.core import Core

T = TypeVar("T")


class Unreachable(ServiceError):
    """Canvas could not be reached or kept failing: the request may not have arrived, or
    (for a POST cut off mid-way, or a 5xx) may have been carried out without our knowing:
    ``maybe_sent`` is False only when Canvas certainly did not act on it."""

    def __init__(self, reason: str, *, maybe_sent: bool = True) -> None:
        super().__init__(reason)
        self.maybe_sent = maybe_sent


class Refused(ServiceError):
    """Canvas answered and said no (not found, not allowed, invalid)."""


class Gone(Refused):
    """Not found: no such conversation, or not one of ours (any more)."""


class TokenRejected(ServiceError):
    pass


def one_line(text: object, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe(error: CanvasError) -> str:
    if isinstance(error, Throttled):
        return "Canvas is throttling requests; retrying"
    if isinstance(error, NetworkError):
        return f"Canvas is unreachable: {one_line(error)}"
    if isinstance(error, ServerError):
        return f"Canvas is failing: {one_line(error)}"
    if isinstance(error, UnexpectedResponse):
        return f"Canvas answered unexpectedly: {one_line(error)}"
    return one_line(error)


async def talk(core: Core, request: Awaitable[T]) -> T:
    """Await one client call; keep the connection state in step with what happened."""
    try:
        result = await request
    except AuthenticationError as error:
        core.went_online()  # it answered, it just does not accept us
        core.token_rejected(one_line(error))
        raise TokenRejected(one_line(error)) from None
    except NotFound as error:
        core.went_online()
        raise Gone(one_line(error)) from None
    except (Forbidden, ValidationError) as error:
        core.went_online()
        raise Refused(one_line(error)) from None
    except (NetworkError, ServerError, Throttled, UnexpectedResponse) as error:
        reason = describe(error)
        core.went_offline(reason)
        maybe_sent = not isinstance(error, Throttled) and getattr(error, "maybe_sent", True)
        raise Unreachable(reason, maybe_sent=maybe_sent) from None
    except CanvasError as error:
        raise Refused(one_line(error)) from None
    core.went_online()
    return result
