"""The app's server refuses a foreign Host, a WebSocket from a foreign Origin, and (with a token) requests
without it, before the request reaches Solara."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from nkborder.app.guard import Guard, allowed_hosts, host_name, is_loopback


class Recorder:
    """A stand-in for the app behind the guard: records the scopes it was called with and answers 200."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls.append(scope["type"])
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"page"})
        else:
            await receive()
            await send({"type": "websocket.accept"})


def call(app: Any, kind: str, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    """Send one HTTP request or WebSocket handshake through ``app``; the messages it sent back."""
    scope = {"type": kind, "path": "/", "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"} if kind == "websocket" else {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def status(sent: list[dict[str, Any]]) -> int | str:
    first = sent[0]
    return first["status"] if first["type"] == "http.response.start" else first["type"]


@pytest.fixture
def guarded() -> tuple[Guard, Recorder]:
    inner = Recorder()
    return Guard(inner, allowed_hosts("127.0.0.1")), inner


def test_foreign_host_is_refused(guarded: tuple[Guard, Recorder]) -> None:
    app, inner = guarded
    assert status(call(app, "http", {"host": "127.0.0.1:8765"})) == 200
    assert status(call(app, "http", {"host": "localhost:8765"})) == 200
    for host in ("evil.example:8765", "127.0.0.1.evil.example", "", "localhost.:8765"):
        sent = call(app, "http", {"host": host})
        assert status(sent) == 403 and b"host" in sent[1]["body"]
    assert inner.calls == ["http", "http"]  # the refused requests never reached the app


def test_websocket_from_a_foreign_origin_is_refused(guarded: tuple[Guard, Recorder]) -> None:
    app, inner = guarded
    own = {"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}
    assert status(call(app, "websocket", own)) == "websocket.accept"
    for origin in ("http://evil.example", "http://127.0.0.1:9999", "null"):
        sent = call(app, "websocket", {**own, "origin": origin})
        assert status(sent) == "websocket.close" and sent[0]["code"] == 1008
    assert status(call(app, "websocket", {"host": "evil.example", "origin": "http://evil.example"})) == \
        "websocket.close"  # DNS rebinding: the page's own origin, but a foreign Host
    assert inner.calls == ["websocket"]


def test_token_is_needed_then_kept_in_a_cookie() -> None:
    inner = Recorder()
    app = Guard(inner, allowed_hosts("0.0.0.0", ["lab.example"]), token="s3cret-token")
    host = {"host": "lab.example:8765"}
    assert status(call(app, "http", host)) == 403
    assert status(call(app, "http", host, "token=wrong")) == 403
    first = call(app, "http", host, "token=s3cret-token")
    assert status(first) == 200
    cookie = dict(first[0]["headers"])[b"set-cookie"].decode()
    assert cookie.startswith("nkborder_token=s3cret-token") and "HttpOnly" in cookie
    assert status(call(app, "http", {**host, "cookie": "nkborder_token=s3cret-token"})) == 200
    ws = {**host, "origin": "http://lab.example:8765"}
    assert status(call(app, "websocket", ws)) == "websocket.close"
    assert status(call(app, "websocket", {**ws, "cookie": "nkborder_token=s3cret-token"})) == "websocket.accept"


def test_host_names_and_loopback() -> None:
    assert host_name("[::1]:8765") == "::1" and host_name("LocalHost:1") == "localhost"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    assert allowed_hosts("10.1.2.3", ["Lab.Example"]) >= {"10.1.2.3", "lab.example", "127.0.0.1", "::1"}


def test_the_served_app_is_guarded(tmp_path: Any) -> None:
    import os

    from nkborder.app.server import configure, guarded_app

    saved = dict(os.environ)
    try:
        configure(tmp_path / "app.duckdb", "local")
        app = guarded_app("127.0.0.1")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert status(call(app, "http", {"host": "evil.example:8765"})) == 403
    sent = call(app, "websocket", {"host": "127.0.0.1:8765", "origin": "http://evil.example"})
    assert status(sent) == "websocket.close"
