"""A local mail server for `make run` and the tests, standing in for the company's relay.

It accepts mail and keeps each message as a file; it refuses the addresses on a bounce list at RCPT
with the 550 a mistyped address gets; and it reports every message it accepted as delivered to the
app (POST /api/mail-events, signed as a relay's delivery webhook is), a moment later.

`python -m admin_app.devtools.smtp_server [--port 2525]` serves it in the foreground with the
settings' APP_URL and MAIL_EVENTS_SECRET. Tests start it on a socket they bound (`smtp_server()`).
"""

import argparse
import asyncio
import email
import fnmatch
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

# Mistyped top-level domains and an address meant to fail: the demo's bounces.
DEFAULT_BOUNCE = "*@*.tset,*@*.cmo,*@*.con,bounce@*"
REPORT_DELAY_S = 0.5


def bounces(address: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(address.lower(), pattern.lower()) for pattern in patterns)


class LocalMailbox:
    """The aiosmtpd handler: what this server does with each recipient and each message."""

    def __init__(self, bounce: list[str], maildir: Path, events_url: str, secret: str) -> None:
        self.bounce, self.maildir, self.events_url, self.secret = bounce, maildir, events_url, secret
        self.maildir.mkdir(parents=True, exist_ok=True)
        self._reports: set[asyncio.Task] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if bounces(address, self.bounce):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content or envelope.content
        message_id = email.message_from_bytes(content).get("Message-ID", "")
        name = f"{time.time_ns()}.eml"
        (self.maildir / name).write_bytes(content)
        if self.events_url and message_id:
            report = asyncio.create_task(self._report(message_id, envelope.rcpt_tos[0]))
            self._reports.add(report)
            report.add_done_callback(self._reports.discard)
        return f"250 2.0.0 Ok: delivered to mailbox as {name}"

    async def _report(self, message_id: str, recipient: str) -> None:
        from admin_app.background.mailer import event_signature

        await asyncio.sleep(REPORT_DELAY_S)
        body = json.dumps(
            {"message_id": message_id, "event": "delivered", "answer": f"250 delivered to {recipient}"}
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Mail-Timestamp": stamp,
            "X-Mail-Signature": event_signature(self.secret, stamp, body),
        }
        async with httpx2.AsyncClient(timeout=10) as client:
            for _ in range(5):
                try:
                    answer = await client.post(self.events_url, content=body, headers=headers)
                    if answer.status_code < 500:
                        return
                except httpx2.HTTPError:
                    pass
                await asyncio.sleep(2)


async def _serve(listener: socket.socket, mailbox: LocalMailbox) -> None:
    from aiosmtpd.smtp import SMTP

    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(mailbox, hostname="localhost", ident="customer-admin local mail"), sock=listener
    )
    async with server:
        await server.serve_forever()


def serve(listener: socket.socket, bounce: str, maildir: Path, events_url: str, secret: str) -> None:
    mailbox = LocalMailbox([p.strip() for p in bounce.split(",") if p.strip()], maildir, events_url, secret)
    asyncio.run(_serve(listener, mailbox))


@contextmanager
def smtp_server(
    events_url: str, secret: str, maildir: Path, bounce: str = DEFAULT_BOUNCE, port: int = 0
) -> Iterator[str]:
    """The SMTP_URL of a local mail server process, on a socket bound here (to `port`, or any free
    one) and handed to it."""
    listener = socket.create_server(("127.0.0.1", port))
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "admin_app.devtools.smtp_server",
        "--fd",
        str(listener.fileno()),
        "--events-url",
        events_url,
        "--secret",
        secret,
        "--maildir",
        str(maildir),
        "--bounce",
        bounce,
    ]
    process = subprocess.Popen(command, pass_fds=(listener.fileno(),), start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    if probe.recv(3) == b"220":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the local mail server did not start")
            time.sleep(0.1)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        listener.close()


def main() -> None:
    from admin_app.settings import PROJECT_ROOT, get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(description="A local mail server that delivers, bounces and reports.")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket")
    parser.add_argument("--events-url", default=settings.APP_URL.rstrip("/") + "/api/mail-events")
    parser.add_argument("--secret", default=settings.MAIL_EVENTS_SECRET)
    parser.add_argument("--maildir", default=str(PROJECT_ROOT / "data" / "mail"))
    parser.add_argument("--bounce", default=os.environ.get("MAIL_BOUNCE", DEFAULT_BOUNCE))
    args = parser.parse_args()
    if args.fd is not None:
        listener = socket.socket(fileno=args.fd)
    else:
        listener = socket.create_server(("127.0.0.1", args.port))
        print(f"Local mail server: smtp://127.0.0.1:{args.port}, messages in {args.maildir}", flush=True)
    serve(listener, args.bounce, Path(args.maildir), args.events_url, args.secret)


if __name__ == "__main__":
    main()
