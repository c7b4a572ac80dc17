"""Refusal of non-public addresses at connect time, so a feed or redirect cannot reach the host's net.

A feed's item links and any redirect are chosen by a remote server; followed blindly they reach
loopback services, the private network or a cloud metadata endpoint (169.254.169.254). The check
runs where the socket is opened, on the addresses the name resolves to at that moment, and the
connection goes to the very address that was checked: a name that resolves to a public address
for a pre-check and to a private one for the connection (DNS rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["RefusedAddress", "guarded_transport", "non_public_kind"]


class RefusedAddress(Exception):
    """A connection refused because the host resolves to a non-public address."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} resolves to {address}, a {kind} address")
        self.host, self.address, self.kind = host, address, kind


def non_public_kind(address: str) -> str:
    """What makes ``address`` non-public ("loopback", "private", …), or "" for a public address."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", not ip.is_global),
    ):
        if flag:
            return kind
    return ""


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, connecting only to checked (public, unless allowed) addresses."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self._allow_private:
            for address in addresses:  # one non-public address refuses the name: no mixed answers
                if kind := non_public_kind(address):
                    raise RefusedAddress(host, address, kind)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_GuardedBackend(allow_private),
        )


def guarded_transport(allow_private: bool) -> httpx.BaseTransport:
    """An httpx transport whose every connection goes to a public address (or any, if allowed)."""
    return _GuardedTransport(allow_private)
