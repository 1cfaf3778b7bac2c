"""ASGI middleware: body size limit and security headers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PayloadTooLarge, error_body
from service.kit.api import Operation

#: Every body but a declared upload: JSON and HTML forms.
MAX_BODY = 1024 * 1024

#: (method, path pattern, byte limit) of the operations that take uploads.
UploadLimits = Sequence[tuple[str, re.Pattern[str], int]]


class _TooLarge(Exception):
    pass


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def upload_limits(operations: Sequence[Operation]) -> UploadLimits:
    """The per-route limits of the operations that declare an upload."""
    return [
        (op.method, compile_path(op.path)[0], op.upload.max_bytes)
        for op in operations
        if op.upload is not None
    ]


def path_limits(routes: Sequence[tuple[str, str, int]]) -> UploadLimits:
    """The limits of other routes that take a file: (method, path, bytes) each (pages)."""
    return [(method, compile_path(path)[0], limit) for method, path, limit in routes]


class BodyLimit:
    """Refuse bodies over their route's limit with 413, by Content-Length or while streaming.

    The limit is ``limit`` (1 MiB) except on routes that declare an upload, which set their own.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, uploads: UploadLimits = ()) -> None:
        self.app = app
        self.default = limit
        self.uploads = list(uploads)

    def limit_for(self, scope: Scope) -> int:
        """The byte limit of this request's route."""
        for method, pattern, limit in self.uploads:
            if scope["method"] == method and pattern.match(scope["path"]):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._reject(scope, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(scope, send, limit)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        error = PayloadTooLarge(f"the body is larger than {_size(limit)}")
        if scope["path"].startswith("/api/"):
            body, ctype = (
                json.dumps(error_body(error.code, error.message)).encode(),
                b"application/json",
            )
        else:
            body, ctype = error.message.encode(), b"text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": error.status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        b" form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


class SecurityHeaders:
    """Add conservative security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (k, v) for k, v in _SECURITY_HEADERS if k not in existing
                ]
            await send(message)

        await self.app(scope, receive, add_headers)
