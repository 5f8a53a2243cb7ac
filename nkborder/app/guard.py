"""What the app's server lets in: the ``Host`` of every request, the ``Origin`` of WebSockets, and a token.

The app has no login, so a page on another site must not be able to drive it from the user's browser:

- ``Host`` must be one of the allowed names (loopback names by default), which defeats DNS rebinding (a foreign
  name resolving to this machine);
- a WebSocket's ``Origin``, which a browser always sends, must be this server's own address, which defeats
  cross-site WebSocket hijacking (a page elsewhere opening a socket to the app);
- with a token (required when the app listens beyond loopback), every request carries it, as ``?token=...`` on
  the first visit (the address printed at start, as Jupyter does) and then as a cookie.

Refused HTTP requests get 403 with one line of text; refused WebSockets are closed before they are accepted
(the client sees HTTP 403).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
COOKIE = "nkborder_token"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is reachable only from this machine."""
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names the server answers to: loopback names, ``host`` itself unless it is a wildcard (then this
    machine's name), and ``extra`` (``nkborder app --allow-host``), all lower case."""
    names = set(LOOPBACK_NAMES)
    if host in WILDCARDS:
        names.update({socket.gethostname(), socket.getfqdn()})
    else:
        names.add(host)
    names.update(extra)
    return frozenset(n.strip().strip("[]").lower() for n in names if n.strip())


def new_token() -> str:
    """A random token for the app's address (URL-safe, 128 bits)."""
    return secrets.token_urlsafe(16)


def host_name(netloc: str) -> str:
    """The host of ``host[:port]`` or ``[v6]:port``, lower case, without brackets or port."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc[1:]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


class Guard:
    """ASGI middleware in front of the app: checks ``Host``, WebSocket ``Origin`` and the token (if any)."""

    def __init__(self, app: Callable[..., Awaitable[None]], hosts: Iterable[str], token: str | None = None) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem, set_cookie = self.check(scope)
        if problem:
            await _refuse(scope, receive, send, problem)
            return
        if set_cookie and scope["type"] == "http":
            send = _with_cookie(send, self.token or "")
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> tuple[str, bool]:
        """(why the request is refused, "" if it is not; whether to set the token cookie)."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            return f"host {host[:100]!r} is not allowed (allowed: {', '.join(sorted(self.hosts))})", False
        origin = headers.get("origin")
        if scope["type"] == "websocket" and origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return f"origin {origin[:100]!r} is not this server ({host[:100]})", False
        if self.token is None:
            return "", False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if any(hmac.compare_digest(t, self.token) for t in query.get("token", [])):
            return "", True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header: no token
            cookie = SimpleCookie()
        if COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, self.token):
            return "", False
        return "no valid token: open the address the server printed at start (it ends in ?token=...)", False


def _with_cookie(send: Send, token: str) -> Send:
    async def sending(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            value = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value.encode())]}
        await send(message)

    return sending


async def _refuse(scope: Scope, receive: Receive, send: Send, problem: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": problem[:120]})
        return
    body = f"refused: {problem}\n".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
