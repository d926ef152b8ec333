"""Reading SMTP_URL: where outgoing mail goes (used by the settings check and by the sender)."""

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class SmtpTarget:
    """Where mail goes: smtp:// (STARTTLS when the server offers it), smtps:// (TLS from the start)."""

    host: str
    port: int
    tls: bool
    username: str
    password: str = field(repr=False)


def smtp_target(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://host:port or smtps://user:password@host:port")
    default_port = 465 if parts.scheme == "smtps" else 25
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or default_port,
        tls=parts.scheme == "smtps",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )
