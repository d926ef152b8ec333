"""Reading a request body with a limit, before anything parses it.

The routes that take a body from outside the app (delivery reports, back-channel logout, the
portal's and instances' calls) are reachable without a session; each reads at most its limit and
answers a plain 413 past it, so a caller cannot make a worker hold an unbounded body in memory.
"""

from starlette.requests import Request
from starlette.responses import PlainTextResponse


class BodyTooLarge(ValueError):
    """The request announced or sent more than the route accepts."""


async def bounded_body(request: Request, limit: int) -> bytes:
    """The body, or BodyTooLarge as soon as it is known to exceed `limit` bytes (announced length first,
    then what arrives, so a chunked body without a length is cut off too)."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise BodyTooLarge(announced)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise BodyTooLarge(str(len(received)))
    return bytes(received)


def too_large(limit: int) -> PlainTextResponse:
    return PlainTextResponse(f"The request body is larger than {limit} bytes.", status_code=413)
