"""Headers every HTTP response of the app carries (pages, sign-in routes, exports, health)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin_app.settings import Settings, get_settings


def header_list(settings: Settings) -> list[tuple[bytes, bytes]]:
    """No framing (clickjacking), no MIME sniffing, no full URLs (ids, searches) leaked to other sites;
    browsers remember to use https once they have seen it."""
    headers = [
        (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if settings.secure_cookies:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole ASGI app (Reflex passes it through `api_transformer`); websockets pass untouched."""
    headers = header_list(get_settings())
    names = {name for name, _ in headers}

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
