"""How the offline app's files travel: gzip-compressed, and revalidated by ETag.

A village worker pays for the app's first load in mobile data, so the app's pages (/app...)
and the static files (HTML, CSS, ES modules, SVG, JSON: all text) are compressed. Only these:
admin and review pages put a CSRF token next to text that someone typed, which compression
could reveal to an attacker who can measure sizes (BREACH); the app's pages and the static
files carry no secret. The phone's pull (/api/v1/sync/pull) is compressed too, without an
ETag: a village's first download is about 1.2 MB of JSON, a fifth of that gzipped, and it
reflects nothing the requester typed next to a secret.

Static URLs are not versioned (the ES modules import each other by plain relative paths), so a
browser may not keep any file fresh on its own: every response says `no-cache` and carries an
ETag (StaticFiles makes one from the file; the app's pages get one from their body), and a
browser that holds the file gets a 304 of a few hundred bytes instead of the file. What lets
the app open offline is the service worker's cache (templates/capture/sw.js), not this.
"""
import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PULL = "/api/v1/sync/pull"


def _is_app_file(path: str) -> bool:
    return path == "/app" or path.startswith("/app/") or path.startswith("/static/")


class AppDelivery:
    """ASGI middleware: compression and revalidation for the app's pages and static files,
    compression for the pull; every other path passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.compressed = GZipMiddleware(self._revalidated, minimum_size=500)
        self.compressed_only = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_app_file(scope["path"]):
            await self.compressed(scope, receive, send)
        elif scope["type"] == "http" and scope["path"] == PULL:
            await self.compressed_only(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _revalidated(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":  # a HEAD has no body to take a tag from
            await self.app(scope, receive, send)
            return
        asked = Headers(scope=scope).get("if-none-match", "")
        start: Message | None = None
        body: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("cache-control", "no-cache")
                if "etag" in headers or message["status"] != 200:
                    await send(message)  # StaticFiles answers conditional requests itself
                else:
                    start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                await _send_with_etag(start, b"".join(body), asked, send)

        await self.app(scope, receive, buffered)


async def _send_with_etag(start: Message, body: bytes, asked: str, send: Send) -> None:
    # Weak: the same page may travel compressed or not.
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = MutableHeaders(scope=start)
    headers["etag"] = etag
    if etag.removeprefix("W/") in [tag.strip().removeprefix("W/") for tag in asked.split(",")]:
        for name in ("content-length", "content-type"):
            if name in headers:
                del headers[name]
        await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})
        return
    await send(start)
    await send({"type": "http.response.body", "body": body})
