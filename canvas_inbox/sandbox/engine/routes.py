"""The Conversations API route table (§4): literal routes before ``:id``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from canvas_inbox.sandbox import search
from canvas_inbox.sandbox.engine import conversations, messages

API = "/api/v1"


def routes() -> list[BaseRoute]:
    c = f"{API}/conversations"
    return [
        Route(c, conversations.index, methods=["GET"]),
        Route(c, messages.create_route, methods=["POST"]),
        Route(c, conversations.batch_update, methods=["PUT"]),
        Route(f"{c}/batches", conversations.batches, methods=["GET"]),
        Route(f"{c}/unread_count", conversations.unread_count, methods=["GET"]),
        Route(f"{c}/mark_all_as_read", conversations.mark_all_as_read, methods=["POST"]),
        Route(f"{c}/find_recipients", search.search_recipients, methods=["GET"]),
        Route(f"{c}/{{conversation_id}}", conversations.show, methods=["GET"]),
        Route(f"{c}/{{conversation_id}}", conversations.update, methods=["PUT"]),
        Route(f"{c}/{{conversation_id}}", conversations.destroy, methods=["DELETE"]),
        Route(f"{c}/{{conversation_id}}/add_recipients", messages.add_recipients, methods=["POST"]),
        Route(f"{c}/{{conversation_id}}/add_message", messages.add_message, methods=["POST"]),
        Route(
            f"{c}/{{conversation_id}}/remove_messages", messages.remove_messages, methods=["POST"]
        ),
        Route(f"{API}/progress/{{progress_id}}", conversations.progress, methods=["GET"]),
        Route(f"{API}/search/recipients", search.search_recipients, methods=["GET"]),
    ]
