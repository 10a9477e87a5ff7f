"""Link-header pagination: next-only, rel=last fetched concurrently in order, and the
token never following a Link or a redirect to another host."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

import httpx
import pytest

from canvas_inbox.canvas import CanvasClient, UnexpectedResponse
from tests.canvas import samples
from tests.canvas.fakes import BASE, NO_WAIT, TOKEN, json_response


class PagedCanvas:
    """Serves ``total`` conversations in Canvas's numbered pages with its Link header."""

    def __init__(
        self, total: int, *, with_last: bool = True, link_host: str = BASE, delay: float = 0.0
    ) -> None:
        self.total = total
        self.with_last = with_last
        self.link_host = link_host
        self.delay = delay
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def link(self, page: int, per_page: int, rel: str) -> str:
        url = f"{self.link_host}/api/v1/conversations?scope=inbox&page={page}&per_page={per_page}"
        return f'<{url}>; rel="{rel}"'

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        query = dict(parse_qsl(request.url.query.decode()))
        page, per_page = int(query.get("page", "1")), int(query.get("per_page", "10"))
        last = max(1, -(-self.total // per_page))
        ids = range(self.total, 0, -1)[(page - 1) * per_page : page * per_page]
        links = [self.link(page, per_page, "current")]
        if page < last:
            links.append(self.link(page + 1, per_page, "next"))
        if page > 1:
            links.append(self.link(page - 1, per_page, "prev"))
        links.append(self.link(1, per_page, "first"))
        if self.with_last:
            links.append(self.link(last, per_page, "last"))
        return httpx.Response(
            200,
            content=json.dumps([samples.conversation(i) for i in ids]).encode(),
            headers={"content-type": "application/json", "link": ",".join(links)},
        )


def client_on(handler: PagedCanvas, **options: object) -> CanvasClient:
    return CanvasClient(
        BASE, TOKEN, transport=httpx.MockTransport(handler), retry=NO_WAIT, **options
    )  # type: ignore[arg-type]


async def test_next_only_pages_are_followed_to_the_end() -> None:
    server = PagedCanvas(25, with_last=False)
    async with client_on(server) as client:
        conversations = await client.list_conversations(per_page=10)
    assert [c.id for c in conversations] == list(range(25, 0, -1))
    assert [dict(parse_qsl(r.url.query.decode())).get("page") for r in server.requests] == [
        None,
        "2",
        "3",
    ]


async def test_rel_last_pages_come_concurrently_and_in_order() -> None:
    server = PagedCanvas(95, delay=0.02)
    async with client_on(server, max_concurrency=3) as client:
        pages = [[c.id for c in page] async for page in client.iter_conversation_pages(per_page=10)]
    assert [ids[0] for ids in pages] == list(range(95, 0, -10))
    assert [i for ids in pages for i in ids] == list(range(95, 0, -1))
    assert len(server.requests) == 10
    assert server.most_in_flight == 3  # concurrent, and bounded by max_concurrency


async def test_a_caller_reading_every_page_has_the_later_pages_on_the_wire_first() -> None:
    # The caller writes page 1 to its cache while pages 2.. are already being answered.
    server = PagedCanvas(95, delay=0.05)
    async with client_on(server, max_concurrency=3) as client:
        pages = client.iter_conversation_pages(per_page=10, all_pages=True)
        first = await anext(pages)
        asked_before_page_2 = len(server.requests)
        rest = [page async for page in pages]
    assert first[0].id == 95
    assert asked_before_page_2 == 1 + 3  # page 1, and one request per slot
    assert [i for page in [first, *rest] for i in (c.id for c in page)] == list(range(95, 0, -1))
    assert len(server.requests) == 10


async def test_a_caller_that_may_stop_after_page_1_sends_nothing_more() -> None:
    # The poller's first-page refresh: the later pages would be requests for nothing.
    server = PagedCanvas(95, delay=0.01)
    async with client_on(server, max_concurrency=3) as client:
        pages = client.iter_conversation_pages(per_page=10)
        first = await anext(pages)
        await asyncio.sleep(0.05)
        await pages.aclose()  # type: ignore[attr-defined]
    assert len(first) == 10
    assert len(server.requests) == 1


async def test_every_link_keeps_the_query_canvas_put_there() -> None:
    server = PagedCanvas(30)
    async with client_on(server) as client:
        await client.list_conversations(per_page=10)
    for request in server.requests[1:]:
        assert ("scope", "inbox") in parse_qsl(request.url.query.decode())


async def test_a_link_to_another_host_is_refused_before_anything_is_sent() -> None:
    server = PagedCanvas(30, link_host="https://evil.example.com")
    async with client_on(server) as client:
        with pytest.raises(UnexpectedResponse, match="another host"):
            await client.list_conversations(per_page=10)
    assert all(r.url.host == "school.example.edu" for r in server.requests)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "link_host", ["http://school.example.edu", "https://school.example.edu:8443"]
)
async def test_a_link_downgraded_or_on_another_port_is_refused(link_host: str) -> None:
    server = PagedCanvas(30, with_last=False, link_host=link_host)
    async with client_on(server) as client:
        with pytest.raises(UnexpectedResponse):
            await client.list_conversations(per_page=10)
    assert len(server.requests) == 1


async def test_a_link_loop_ends() -> None:
    def same_page(request: httpx.Request) -> httpx.Response:
        return json_response(
            [samples.conversation(1)],
            headers={"link": f'<{BASE}/api/v1/conversations?page=1&per_page=1>; rel="next"'},
        )

    async with CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(same_page)) as client:
        conversations = await client.list_conversations(per_page=1)
    assert [c.id for c in conversations] == [1]


async def test_redirect_to_another_host_is_not_followed_with_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "https://login.evil.example/sso"})

    async with CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(UnexpectedResponse, match="redirected to another host"):
            await client.get_self()
    assert len(seen) == 1
    assert seen[0].url.host == "school.example.edu"


async def test_redirect_on_the_same_host_is_followed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/users/self":
            return httpx.Response(301, headers={"location": "/api/v1/users/1"})
        return json_response({"id": 1, "name": "Jane"})

    async with CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client:
        assert (await client.get_self()).id == 1
    assert [r.url.path for r in seen] == ["/api/v1/users/self", "/api/v1/users/1"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in seen)


async def test_upload_to_another_host_gets_no_token_and_the_confirmation_does(
    tmp_path: object,
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "lab.txt"
    path.write_text("data")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/users/self/files":
            return json_response(
                {
                    "upload_url": "https://uploads.s3.example.com/bucket",
                    "upload_params": {"key": "a/b", "policy": "p", "x-amz-signature": "s"},
                }
            )
        if request.url.host == "uploads.s3.example.com":
            return httpx.Response(
                303, headers={"location": f"{BASE}/api/v1/files/8/create_success?uuid=u"}
            )
        return json_response(samples.attachment(8))

    async with CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client:
        file = await client.upload_attachment(path)
    assert file.id == 8
    upload = seen[1]
    assert upload.url.host == "uploads.s3.example.com"
    assert "authorization" not in upload.headers
    assert TOKEN not in upload.content.decode(errors="replace")
    assert seen[2].headers["authorization"] == f"Bearer {TOKEN}"


async def test_upload_confirmation_on_another_host_goes_without_the_token(
    tmp_path: object,
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "lab.txt"
    path.write_text("data")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/users/self/files":
            return json_response({"upload_url": "https://up.example.com/x", "upload_params": {}})
        if request.method == "POST":
            return httpx.Response(302, headers={"location": "https://other.example.com/done"})
        return json_response(samples.attachment(8))

    async with CanvasClient(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client:
        await client.upload_attachment(path)
    assert seen[2].url.host == "other.example.com"
    assert "authorization" not in seen[2].headers
