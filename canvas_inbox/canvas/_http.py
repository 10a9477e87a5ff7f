"""The wire under CanvasClient: one httpx.AsyncClient, the token's guard, retries, paging.

Everything that decides whether the token may travel lives here, in one place: a request
goes out with ``Authorization`` only when its URL is on the profile's own scheme, host
and port. httpx's own redirect following is off; redirects and ``Link`` URLs are checked
here before anything is sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec

from canvas_inbox import __version__
from canvas_inbox.canvas import _paging
from canvas_inbox.canvas._errors import (
    NetworkError,
    RequestTimeout,
    Throttled,
    UnexpectedResponse,
    clean_line,
    error_for_status,
    is_rate_limit,
)
from canvas_inbox.canvas._throttle import RetryPolicy, Throttle
from canvas_inbox.loopback import is_loopback

T = TypeVar("T")

# No contact URL until the project has a public home: a made-up one would mislead an
# admin reading Canvas's request logs.
USER_AGENT = f"canvas-inbox/{__version__} (terminal client for the Canvas Inbox)"
Params = Sequence[tuple[str, str]]
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5
_RETRY_STATUS = (500, 502, 503, 504)
NETWORK_FIRST_LIMIT = 0.05  # seconds, at most; see Wire.yield_to_network
READ_TURNS = 3  # loop turns from an answer's bytes in the socket to its slot freed


def check_base_url(base_url: str) -> str:
    """The profile's origin, or ValueError: not a URL, or plain http to a remote host."""
    base = base_url.strip().rstrip("/")
    where = _paging.origin(base)
    if where is None:
        raise ValueError(f"not a web address: {clean_line(base)!r}")
    scheme, host, _port = where
    if scheme == "http" and not is_loopback(host):
        raise ValueError(f"refusing plain http:// for {host}: the token would travel unencrypted")
    return base


@functools.cache
def _verifying_context() -> ssl.SSLContext:
    # Loading the CA bundle costs 40-250 ms: every client of the process shares one.
    return httpx.create_ssl_context()


def ssl_context(base_url: str) -> tuple[ssl.SSLContext, bool]:
    """The TLS context for a client of ``base_url``, and whether its CAs are loaded.

    An https profile gets the process's one verifying context. A plain-http profile
    (only ever a loopback one: the sandbox, a local Canvas) gets a context with no CAs
    loaded: still verifying, so an https address it is sent to (an upload host) fails
    closed unless ``load_cas`` ran first. ``canvas-inbox unread`` against the sandbox
    then pays nothing for TLS it never uses."""
    if base_url.lower().startswith("http://"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname, CERT_REQUIRED
        context.set_alpn_protocols(["http/1.1"])
        return context, False
    return _verifying_context(), True


def load_cas(context: ssl.SSLContext) -> None:
    """Load the CA bundle into a context, from where httpx would take it."""
    import os

    if os.environ.get("SSL_CERT_FILE"):
        context.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context.load_verify_locations(cafile=certifi.where())


def check_token(token: str) -> str:
    """A token as an HTTP header can carry it, or ValueError (never showing the token)."""
    if not token or any(not (0x21 <= ord(ch) <= 0x7E) for ch in token):
        raise ValueError(
            "the access token has spaces or characters a token cannot have; copy it again"
        )
    return token


def _host(url: str) -> str:
    try:
        return clean_line(urlsplit(url).netloc.rsplit("@", 1)[-1]) or "?"
    except ValueError:
        return "?"


class Wire:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        max_concurrency: int,
        policy: RetryPolicy,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.base_url = check_base_url(base_url)
        self._token = check_token(token)
        self.policy = policy
        self.throttle = Throttle(policy, max_in_flight=max_concurrency)
        self.max_concurrency = max_concurrency
        self._slots = asyncio.Semaphore(max_concurrency)
        self._in_flight = 0
        # Requests holding a slot whose bytes are not yet on the wire (see
        # ``yield_to_network``), and whether the transport tells (httpcore's trace does;
        # a test's MockTransport does not, and is not waited for).
        self._unsent = 0
        self._all_sent = asyncio.Event()
        self._all_sent.set()
        self._reports_progress: bool | None = None
        self._ssl, self._cas_loaded = ssl_context(self.base_url)
        self.http = httpx.AsyncClient(
            transport=transport,
            verify=self._ssl,
            # HTTP/1.1 keep-alive: one pooled connection per request in flight.
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

    async def aclose(self) -> None:
        await self.http.aclose()

    def trust_public_cas(self, url: str) -> None:
        """Before a request to another host (an upload host): if it is https and this is
        a plain-http profile's client, load the CA bundle now, once."""
        if not self._cas_loaded and url.lower().startswith("https://"):
            load_cas(self._ssl)
            self._cas_loaded = True

    # --- the token's guard ---------------------------------------------------------

    def is_home(self, url: str) -> bool:
        return _paging.same_origin(url, self.base_url)

    def resolve(self, target: str) -> str:
        """An absolute URL on the profile's host, or UnexpectedResponse."""
        url = self.base_url + target if target.startswith("/") else target
        if not self.is_home(url):
            raise UnexpectedResponse(
                f"Canvas pointed at another host ({_host(url)}); not sending the token there"
            )
        return url

    @property
    def token(self) -> str:
        return self._token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    # --- sending ---------------------------------------------------------------------

    async def request(
        self,
        method: str,
        target: str,
        *,
        params: Params | None = None,
        data: Params | None = None,
        retry: bool = False,
    ) -> httpx.Response:
        """Send with the token; raise the CanvasError for any failure.

        ``retry`` marks a request that may safely be repeated (GETs, setting fields):
        those ride out transient network errors, 5xx and Canvas's rate limit. Anything
        else is sent once: a POST whose answer was lost may have been carried out.
        """
        url = self.resolve(target)
        path = urlsplit(url).path
        failures = throttled = 0
        while True:
            try:
                async with self._slots:
                    # Waiting inside the slot: a low bucket also means fewer in flight.
                    await self.throttle.wait()
                    self._in_flight += 1
                    outgoing = _Outgoing(self)
                    try:
                        response = await self._send(method, url, params, data, outgoing)
                    finally:
                        outgoing.over()
                        self._in_flight -= 1
            except NetworkError:
                failures += 1
                if retry and failures < self.policy.attempts:
                    await asyncio.sleep(self.policy.delay(failures))
                    continue
                raise
            self.throttle.observe(
                response.headers.get("X-Rate-Limit-Remaining"), others_in_flight=self._in_flight
            )
            status = response.status_code
            if is_rate_limit(status, response.headers.get("content-type", ""), response.content):
                if "X-Rate-Limit-Remaining" not in response.headers:
                    self.throttle.exhausted(others_in_flight=self._in_flight)
                throttled += 1
                if retry and throttled < self.policy.throttle_attempts:
                    await asyncio.sleep(self.policy.delay(throttled, throttled=True))
                    continue
                raise Throttled(
                    "Canvas is rate-limiting requests; try again in a minute",
                    status_code=status,
                    method=method,
                    path=path,
                )
            if status in _RETRY_STATUS and retry:
                failures += 1
                if failures < self.policy.attempts:
                    await asyncio.sleep(self.policy.delay(failures))
                    continue
            if status >= 400:
                raise error_for_status(
                    status,
                    response.headers.get("content-type", ""),
                    response.content,
                    method=method,
                    path=path,
                    www_authenticate=response.headers.get("www-authenticate"),
                    secret=self._token,
                )
            return response

    async def yield_to_network(self) -> None:
        """Let the loop's own share of our requests run first: a few turns for answers
        already in to be read (their slots then go to the next requests), then a wait
        (at most ``NETWORK_FIRST_LIMIT`` seconds) until every request holding a slot is
        written out.

        A request takes a few turns of the event loop to go out (a connection from the
        pool, or a new one, then the write). A caller that takes the loop for a few
        milliseconds of its own (decoding a page, writing it to the cache) holds it
        back by as much, and its answer by as much again. Work on a page that has
        arrived can wait; a round trip cannot. Only what our own loop does is waited
        for, never the server, and not answers still arriving (with eight requests
        cycling, one always is): past the limit (a slow connect or TLS handshake) the
        caller goes ahead."""
        for _ in range(READ_TURNS):
            await asyncio.sleep(0)
        if self._unsent:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_sent.wait(), NETWORK_FIRST_LIMIT)

    async def _send(
        self,
        method: str,
        url: str,
        params: Params | None,
        data: Params | None,
        outgoing: _Outgoing | None = None,
    ) -> httpx.Response:
        path = urlsplit(url).path
        for _hop in range(_MAX_REDIRECTS + 1):
            try:
                request = self.http.build_request(
                    method,
                    url,
                    params=list(params) if params else None,
                    data=_form(data),
                    headers=self._auth(),
                    extensions={"trace": outgoing.trace} if outgoing is not None else None,
                )
            except (httpx.InvalidURL, ValueError):
                raise UnexpectedResponse(
                    f"Canvas pointed at an unusable address on {_host(url)}",
                    method=method,
                    path=path,
                ) from None
            response = await self._transmit(request, method, path)
            if response.status_code not in _REDIRECTS or "location" not in response.headers:
                return response
            location = urljoin(url, response.headers["location"])
            if not self.is_home(location):
                where = _paging.origin(location)
                raise UnexpectedResponse(
                    f"Canvas redirected to another host ({_host(location)}); "
                    "not following it with the token",
                    status_code=response.status_code,
                    method=method,
                    path=path,
                    redirect_to=_origin_url(location) if where else None,
                )
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, data = "GET", None
            url, params = location, None
        raise UnexpectedResponse("too many redirects", method=method, path=path)

    async def _transmit(self, request: httpx.Request, method: str, path: str) -> httpx.Response:
        host = _host(str(request.url))
        try:
            return await self.http.send(request)
        except httpx.TimeoutException as error:
            # A connect or pool timeout means nothing left this machine.
            sent = not isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise RequestTimeout(
                f"no answer from {host} in time", method=method, path=path, maybe_sent=sent
            ) from None
        except httpx.ConnectError as error:
            raise NetworkError(
                f"could not connect to {host} ({_reason(error, self._token)})",
                method=method,
                path=path,
                maybe_sent=False,
            ) from None
        except httpx.RequestError as error:
            raise NetworkError(
                f"the connection to {host} failed ({_reason(error, self._token)})",
                method=method,
                path=path,
                maybe_sent=True,
            ) from None

    # --- decoding ----------------------------------------------------------------------

    def decode(self, response: httpx.Response, type_: Any) -> Any:
        return self.decode_bytes(response.content, type_, urlsplit(str(response.url)).path)

    def decode_bytes(self, content: bytes, type_: Any, path: str = "") -> Any:
        decoder = self._decoders.get(type_)
        if decoder is None:
            # Lax mode: ids and counts sent as strings ("7") become ints.
            decoder = self._decoders[type_] = msgspec.json.Decoder(type_, strict=False)
        if content.startswith(b"while(1);"):  # Canvas's JSON-hijacking guard, if present
            content = content[len(b"while(1);") :]
        try:
            return decoder.decode(content)
        except msgspec.ValidationError as error:
            raise UnexpectedResponse(
                f"Canvas's answer has an unexpected shape ({error})", path=path
            ) from None
        except msgspec.DecodeError:
            raise UnexpectedResponse(
                "the answer is not Canvas's JSON: is this a Canvas site?", path=path
            ) from None

    # --- paging --------------------------------------------------------------------------

    async def pages(
        self, path: str, params: Params, item_type: Any, *, eager: bool = False
    ) -> AsyncIterator[list[Any]]:
        """Every page of a list, in order. Follows ``rel="next"``; with numbered pages and
        ``rel="last"``, fetches the pages in between concurrently (at most
        ``max_concurrency`` in flight) and still yields them in order.

        The concurrent fetches run up to ``2 * max_concurrency`` pages ahead of the
        caller, so a caller busy with one page (or one slow page) does not leave the
        request slots idle. They start when the caller asks for the second page, or with
        ``eager`` (a caller that wants every page) before the first is handed over."""
        list_type = list[item_type]  # type: ignore[valid-type]
        response = await self.request("GET", path, params=params, retry=True)
        seen = {str(response.url)}
        links = _paging.parse_link_header(response.headers.get("link"))
        numbered = _paging.numbered_pages(links)
        if not numbered:
            yield self.decode(response, list_type)
        else:
            for url in numbered:
                self.resolve(url)  # refuse before sending anything
            seen.update(numbered)
            ahead = 2 * self.max_concurrency
            pending: collections.deque[asyncio.Task[httpx.Response]] = collections.deque()
            queue = iter(numbered)

            def top_up() -> None:
                while len(pending) < ahead and (url := next(queue, None)) is not None:
                    pending.append(asyncio.ensure_future(self.request("GET", url, retry=True)))

            try:
                if eager:
                    top_up()
                    # Let them reach the wire before the caller takes the loop for page 1.
                    await self.yield_to_network()
                yield self.decode(response, list_type)
                top_up()
                while pending:
                    response = await pending.popleft()
                    top_up()
                    # The answer just read freed a slot: its successor goes out first.
                    await self.yield_to_network()
                    yield self.decode(response, list_type)
            finally:
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.gather(*pending, return_exceptions=True)
            links = _paging.parse_link_header(response.headers.get("link"))
        while (next_url := links.get("next")) and next_url not in seen:
            seen.add(next_url)
            response = await self.request("GET", next_url, retry=True)
            yield self.decode(response, list_type)
            links = _paging.parse_link_header(response.headers.get("link"))


class _Outgoing:
    """One attempt, counted in ``Wire._unsent`` until it is written out (or over)."""

    __slots__ = ("_pending", "_traced", "_wire")

    def __init__(self, wire: Wire) -> None:
        self._wire = wire
        self._traced = False
        self._pending = wire._reports_progress is not False
        if self._pending:
            wire._unsent += 1
            wire._all_sent.clear()

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        # httpcore's trace extension: the request body written is the moment it left us.
        self._traced = True
        self._wire._reports_progress = True
        if event.endswith("send_request_body.complete"):
            self._count_out()

    def over(self) -> None:
        """The attempt is over (answered or failed)."""
        wire = self._wire
        if not self._traced and wire._reports_progress is None:
            wire._reports_progress = False
        self._count_out()

    def _count_out(self) -> None:
        if self._pending:
            self._pending = False
            wire = self._wire
            wire._unsent -= 1
            if not wire._unsent:
                wire._all_sent.set()


def _form(data: Params | None) -> dict[str, str | list[str]] | None:
    if data is None:
        return None
    form: dict[str, str | list[str]] = {}
    for key, value in data:
        if key.endswith("[]"):
            existing = form.setdefault(key, [])
            assert isinstance(existing, list)
            existing.append(value)
        else:
            form[key] = value
    return form


def _origin_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


def _reason(error: Exception, secret: str | None = None) -> str:
    # "All connection attempts failed" hides the useful part ("connection refused") a
    # few causes down; name the errno's meaning when there is one.
    cause: BaseException | None = error
    for _ in range(8):
        if cause is None:
            break
        if isinstance(cause, OSError) and cause.errno:
            import os

            # Socket errors have positive errnos; resolver errors (gaierror) negative ones.
            text = os.strerror(cause.errno) if cause.errno > 0 else str(cause.strerror or "")
            if text:
                return clean_line(text.lower(), secret=secret)
        cause = cause.__cause__ or cause.__context__
    text = clean_line(str(error), secret=secret)
    return text or type(error).__name__


def encode(value: Any) -> str:
    """A parameter value as Canvas reads it: booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def params(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query or form pairs: None omitted, booleans true/false, a key ending in ``[]``
    repeated once per item of its sequence (``recipients[]=1&recipients[]=2``)."""
    out: list[tuple[str, str]] = []
    for key, value in fields.items():
        if value is None:
            continue
        if key.endswith("[]"):
            out.extend((key, encode(item)) for item in value)
        else:
            out.append((key, encode(value)))
    return out
