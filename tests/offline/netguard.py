"""A socket guard: inside a process where ``install()`` ran, anything that would reach
the network fails with ``NetworkBlockedError``; loopback (127.0.0.0/8, ::1, localhost)
and Unix sockets keep working, because a Jupyter kernel talks to its client over them.

Used by the offline kernel (``kernels/python3/offline_kernel.py``) that ``make test``
and ``make bench`` execute every notebook with, so a cell that tries to download
something fails the test instead of silently working on a connected laptop.
When ``COURSE_NETGUARD_LOG`` names a file, every blocked attempt is also appended to it
as one JSON line, so an attempt that a cell catches and ignores is still reported.
"""
from __future__ import annotations

import ipaddress
import json
import os
import socket

__all__ = ["NetworkBlockedError", "install", "uninstall", "is_installed", "MESSAGE", "LOG_ENV"]

LOG_ENV = "COURSE_NETGUARD_LOG"
MESSAGE = "Network access blocked by the course's offline guard"

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_saved: dict[str, object] = {}


class NetworkBlockedError(ConnectionError):
    """Raised instead of opening a connection (or resolving a name) off this machine."""


def _is_local_host(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the wildcard/loopback address, no lookup
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0].lower()
    if host in ("", "0.0.0.0", "::") or host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_numeric(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
        return True
    except ValueError:
        return False


def _block(what: str, host: object, port: object = None) -> None:
    where = f"{host!r}" + (f" (port {port})" if port not in (None, 0, "") else "")
    msg = (f"{MESSAGE}: {what} {where}. Notebooks must run offline: use course_lib.data "
           "or files under data/, never a download.")
    path = os.environ.get(LOG_ENV)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"what": what, "host": str(host), "port": str(port)}) + "\n")
        except OSError:
            pass
    raise NetworkBlockedError(msg)


def _check_address(sock: socket.socket, address: object, what: str) -> None:
    family = getattr(sock, "family", None)
    if family not in (socket.AF_INET, socket.AF_INET6):
        return  # AF_UNIX, AF_NETLINK...: never leaves the machine
    if isinstance(address, tuple) and address:
        host, port = address[0], (address[1] if len(address) > 1 else None)
    else:
        host, port = address, None
    if not _is_local_host(host):
        _block(what, host, port)


def install() -> None:
    """Patch ``socket`` so that only loopback and Unix-socket traffic is possible."""
    if _saved:
        return
    orig_connect = socket.socket.connect
    orig_connect_ex = socket.socket.connect_ex
    orig_sendto = socket.socket.sendto
    orig_getaddrinfo = socket.getaddrinfo
    orig_gethostbyname = socket.gethostbyname
    orig_gethostbyname_ex = socket.gethostbyname_ex
    orig_create_connection = socket.create_connection
    _saved.update(connect=orig_connect, connect_ex=orig_connect_ex, sendto=orig_sendto,
                  getaddrinfo=orig_getaddrinfo, gethostbyname=orig_gethostbyname,
                  gethostbyname_ex=orig_gethostbyname_ex,
                  create_connection=orig_create_connection)

    def connect(self, address):
        _check_address(self, address, "connect to")
        return orig_connect(self, address)

    def connect_ex(self, address):
        _check_address(self, address, "connect to")
        return orig_connect_ex(self, address)

    def sendto(self, data, *args):
        _check_address(self, args[-1] if args else None, "send a datagram to")
        return orig_sendto(self, data, *args)

    def getaddrinfo(host, port, *args, **kwargs):
        if not (_is_local_host(host) or _is_numeric(host)):
            _block("resolve the host name", host, port)
        return orig_getaddrinfo(host, port, *args, **kwargs)

    def gethostbyname(host):
        if not (_is_local_host(host) or _is_numeric(host)):
            _block("resolve the host name", host)
        return orig_gethostbyname(host)

    def gethostbyname_ex(host):
        if not (_is_local_host(host) or _is_numeric(host)):
            _block("resolve the host name", host)
        return orig_gethostbyname_ex(host)

    def create_connection(address, *args, **kwargs):
        host, port = address[0], address[1]
        if not _is_local_host(host):
            _block("connect to", host, port)
        return orig_create_connection(address, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.create_connection = create_connection


def uninstall() -> None:
    """Undo ``install()`` (used by the guard's own tests)."""
    if not _saved:
        return
    for name in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, name, _saved[name])
    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        setattr(socket, name, _saved[name])
    _saved.clear()


def is_installed() -> bool:
    return bool(_saved)
