"""What the web chat accepts before Gradio sees a request: its own host names, its own origin, and
login attempts at a human pace.

- **Host**: a page on any domain can make a browser talk to 127.0.0.1 by pointing its own name
  there (DNS rebinding); the request then carries that domain as ``Host``. Only the names the
  server was started for pass: 127.0.0.1, localhost, ``::1`` and the configured host; a server
  on all interfaces (``0.0.0.0``) also takes IP addresses and this machine's name, never a domain
  it cannot know.
- **Origin**: a state-changing request (anything but GET, HEAD, OPTIONS) that a browser sends from
  another page carries that page's ``Origin``; one whose host and port are not those of the
  request's ``Host`` (already checked above) is refused. ``Host`` and not the server's socket:
  behind a port mapping (``docker -p 8080:7860``) or a proxy, the browser's address is not the
  one the server listens on. Clients that are not browsers send no ``Origin`` and pass.
- **Login**: after ``LOGIN_FAILURES`` wrong passwords from one address within ``LOGIN_WINDOW``
  seconds, further attempts from it are answered 429 until the window has passed. An attempt
  counts when it arrives, not when its answer starts, so attempts sent all at once cannot pass
  before the first one fails; a successful login clears the address's count. The table holds at
  most ``LOGIN_TRACKED`` addresses: the least recently seen go first, as do those whose attempts
  are all older than the window.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import OrderedDict, deque
from typing import Any
from urllib.parse import urlsplit

LOGIN_FAILURES = 5
LOGIN_WINDOW = 60.0
LOGIN_TRACKED = 10_000
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

Scope = dict[str, Any]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_name(value: str) -> str:
    """The name part of a ``Host`` header or URL authority: no port, no brackets, lower case."""
    return (urlsplit(f"//{value}").hostname or "").rstrip(".")


def origin_authority(origin: str) -> tuple[str, int | None]:
    """The name and port an ``Origin`` names; the scheme's default port counts as none, as a
    browser leaves it out of ``Host``."""
    parts = urlsplit(origin)
    try:
        port = parts.port
    except ValueError:
        return "", None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.hostname or "").rstrip("."), None if port == default else port


def host_authority(host: str) -> tuple[str, int | None]:
    """The name and port of a ``Host`` header: the address the browser used, behind a port
    mapping or a proxy too (the server's own port is then another)."""
    try:
        port = urlsplit(f"//{host}").port
    except ValueError:
        port = -1  # no Origin matches a malformed port
    return host_name(host), port


class Guard:
    """ASGI middleware in front of the Gradio app (see the module docstring)."""

    def __init__(self, app: Any, host: str) -> None:
        self.app = app
        self.wildcard = host in WILDCARD_HOSTS
        self.names = {"127.0.0.1", "localhost", "::1", host_name(host)} - {""}
        if self.wildcard:
            self.names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        self.attempts = LoginAttempts()

    def allowed_host(self, name: str) -> bool:
        return name in self.names or (self.wildcard and _is_ip(name))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal:
            return await _refuse(scope, send, *refusal)
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].rstrip("/") == "/login":
            return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if not self.allowed_host(host_name(headers.get("host", ""))):
            return 421, "This server does not answer for that host name."
        origin = headers.get("origin")
        if origin is None or scope.get("method", "GET") in SAFE_METHODS:
            return None
        if origin_authority(origin) != host_authority(headers.get("host", "")):
            return 403, "Requests from another site's page are refused."
        return None

    async def _login(self, scope: Scope, receive: Any, send: Any) -> None:
        client = (scope.get("client") or ("?", 0))[0]
        stamp = time.monotonic()
        wait = self.attempts.admit(client, stamp)
        if wait:
            return await _refuse(scope, send, 429, f"Too many failed logins; try again in {wait} s.", wait)

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 400:
                # 400 is Gradio's "Incorrect credentials.": the attempt stays counted
                self.attempts.settle(client, stamp, succeeded=message["status"] < 400)
            await send(message)

        await self.app(scope, receive, watch)


class LoginAttempts:
    """Recent login attempts per client address, bounded (see the module docstring)."""

    def __init__(
        self, limit: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW, tracked: int = LOGIN_TRACKED
    ):
        self.limit, self.window, self.tracked = limit, window, tracked
        self._stamps: OrderedDict[str, deque[float]] = OrderedDict()  # least recently seen first

    def __len__(self) -> int:
        return len(self._stamps)

    def admit(self, client: str, now: float) -> int:
        """0 when ``client`` may try now (the attempt is counted), else the seconds to wait."""
        self._forget_expired(now)
        stamps = self._stamps.setdefault(client, deque())
        self._stamps.move_to_end(client)
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            return int(self.window - (now - stamps[0])) + 1
        stamps.append(now)
        while len(self._stamps) > self.tracked:
            self._stamps.popitem(last=False)
        return 0

    def settle(self, client: str, stamp: float, succeeded: bool) -> None:
        """An answered attempt that was not a wrong password: a success clears the client's count,
        anything else (a malformed request, a server error) takes back that one attempt."""
        stamps = self._stamps.get(client)
        if stamps is None:
            return
        if succeeded:
            stamps.clear()
        elif stamp in stamps:
            stamps.remove(stamp)
        if not stamps:
            del self._stamps[client]

    def _forget_expired(self, now: float) -> None:
        while self._stamps:
            oldest = next(iter(self._stamps.values()))
            if oldest and now - oldest[-1] <= self.window:
                return
            self._stamps.popitem(last=False)


async def _refuse(scope: Scope, send: Any, status: int, message: str, retry_after: int = 0) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if retry_after:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": message.encode()})
