"""One typed settings object, read from the environment once."""

import ipaddress
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from admin_app.background.smtp_url import smtp_target

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "customer_admin.db"
DEV_CLIENT_SECRET = "dev-client-secret"
DEV_SESSION_SECRET = "dev-session-secret-change-me"
DEV_MAIL_EVENTS_SECRET = "dev-mail-events-secret"
DEV_PORTAL_SECRET = "dev-portal-secret"


# Each link-out template and the one placeholder it may use.
LINK_PLACEHOLDERS = {
    "ZUORA_ACCOUNT_URL": "zuora_account_id",
    "ZUORA_SUBSCRIPTION_URL": "subscription_name",
    "SALESFORCE_ACCOUNT_URL": "salesforce_account_id",
    "GITLAB_USER_URL": "uid",
}


# In production each secret is at least this long. The client secret is the provider's (Okta issues 40
# or more characters; 16 refuses a typed placeholder); the others are ours to generate.
MINIMUM_SECRET_LENGTHS = {
    "OIDC_CLIENT_SECRET": 16,
    "SESSION_SECRET": 32,
    "MAIL_EVENTS_SECRET": 32,
    "PORTAL_SECRET": 32,
}

USAGE_PINGS_SECRET_MINIMUM_LENGTH = 32
RECONCILIATION_PAUSES_SECRET_MINIMUM_LENGTH = 32


def without_password(url: str) -> str:
    """`url` as it may be printed or logged: a password in it is replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Settings(BaseSettings):
    """Configuration of the app; every field is an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # "production" (make run-prod) refuses the development provider and placeholder secrets outright.
    DEPLOYMENT: Literal["development", "production"] = "development"
    APP_URL: str = "http://localhost:3000"
    DATABASE_URL: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    DB_POOL_SIZE: int = 10
    DB_MAX_OVERFLOW: int = 10
    REDIS_URL: str | None = None
    # App worker processes; with REDIS_URL set they share state through Redis. 0: Reflex's default.
    WORKERS: int = 0

    OIDC_ISSUER: str = "http://127.0.0.1:9400"
    OIDC_CLIENT_ID: str = "customer-admin"
    OIDC_CLIENT_SECRET: str = DEV_CLIENT_SECRET
    OIDC_SCOPES: str = "openid email profile"
    OIDC_GROUPS_CLAIM: str = "groups"
    # ID-token signature algorithms accepted, comma-separated; never taken from the issuer's discovery.
    OIDC_ID_TOKEN_ALGORITHMS: str = "RS256,ES256"
    OIDC_PROVIDER_NAME: str = "Okta"
    ROLE_GROUPS: str = (
        "sales:customer-admin-sales,support:customer-admin-support,"
        "manager:customer-admin-managers,admin:customer-admin-admins"
    )
    SESSION_SECRET: str = DEV_SESSION_SECRET
    SESSION_IDLE_MINUTES: int = 30
    SESSION_ABSOLUTE_HOURS: int = 12
    # Roles are re-read from the provider this often while a session is used.
    ROLE_RECHECK_MINUTES: int = 5
    # Ended and expired sessions (and their tokens) are deleted after this many days.
    SESSION_RETENTION_DAYS: int = 30
    # Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR ranges, comma-separated.
    TRUSTED_PROXIES: str = ""
    # CSV downloads one staff member may run at once; one more is answered 429.
    EXPORTS_PER_PERSON: int = 2
    # PEM file of the Ed25519 private key license files are signed with (required in production; in
    # development one is generated into data/). Earlier keys' public PEM files, comma-separated, still
    # validate the files they signed.
    LICENSE_SIGNING_KEY_FILE: str = ""
    LICENSE_VERIFY_KEY_FILES: str = ""
    # Outgoing mail: smtp://host:port (STARTTLS when offered) or smtps://user:password@host:port. `make
    # run` starts a local server on 2525 that accepts mail and bounces MAIL_BOUNCE (devtools/smtp_server.py).
    SMTP_URL: str = "smtp://127.0.0.1:2525"
    MAIL_FROM: str = "Customer Admin <no-reply@customer-admin.test>"
    # Where the links in customers' emails (sign-in, confirmation) lead: the customers portal.
    PORTAL_URL: str = "https://customers.example.test"
    # Delivery reports (/api/mail-events) are signed with this (HMAC-SHA256).
    MAIL_EVENTS_SECRET: str = DEV_MAIL_EVENTS_SECRET
    # The customers portal signs its requests to redeem a link (/api/portal/redeem-link) with this.
    PORTAL_SECRET: str = DEV_PORTAL_SECRET
    # Self-managed servers sign their daily usage pings (/api/usage-pings) with this, as delivery reports
    # are signed. Empty (the default): every ping is refused, as no one could sign one genuinely.
    USAGE_PINGS_SECRET: str = ""
    # The billing system signs its requests for the reconciliation pauses in force
    # (/api/reconciliation-pauses) with this, as delivery reports are signed. Empty (the default): the
    # route answers 503, as no one could sign a request genuinely.
    RECONCILIATION_PAUSES_SECRET: str = ""
    # A server whose last usage ping is older than this many days is marked stale on its license's page.
    USAGE_STALE_DAYS: int = 30

    # Links out, as URL templates; empty: no link. See admin_app/links.py for the placeholders.
    ZUORA_ACCOUNT_URL: str = ""
    ZUORA_SUBSCRIPTION_URL: str = ""
    SALESFORCE_ACCOUNT_URL: str = ""
    GITLAB_USER_URL: str = ""

    # `make load` only: each worker writes where every event's time went (admin_app/devtools/event_timing.py).
    EVENT_TIMING_DIR: str = ""

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure (and __Host- prefixed) when the app is served over https."""
        return self.APP_URL.startswith("https://")

    @property
    def id_token_algorithms(self) -> list[str]:
        return _comma_list(self.OIDC_ID_TOKEN_ALGORITHMS)

    @property
    def trusted_proxies(self) -> list[str]:
        return _comma_list(self.TRUSTED_PROXIES)

    @field_validator(*LINK_PLACEHOLDERS)
    @classmethod
    def _link_template(cls, value: str, info) -> str:
        placeholder = LINK_PLACEHOLDERS[info.field_name]
        if not value:
            return value
        try:
            made = value.format(**{placeholder: "x"})
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"{info.field_name} may use only {{{placeholder}}}") from error
        if not made.startswith("https://") or f"{{{placeholder}}}" not in value:
            raise ValueError(f"{info.field_name} must be an https:// URL containing {{{placeholder}}}")
        return value

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _networks_only(cls, value: str) -> str:
        for entry in _comma_list(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as error:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or CIDR range") from error
        return value

    @field_validator("OIDC_ID_TOKEN_ALGORITHMS")
    @classmethod
    def _asymmetric_algorithms_only(cls, value: str) -> str:
        # "none" and HMAC (keyed with the client secret, or a public key passed off as one) are never allowed.
        allowed = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
        chosen = set(_comma_list(value))
        if not chosen or not chosen <= allowed:
            raise ValueError(
                f"OIDC_ID_TOKEN_ALGORITHMS must be a comma-separated subset of {sorted(allowed)}"
            )
        return value

    @model_validator(mode="after")
    def _no_development_setup_in_production(self) -> "Settings":
        # A production deployment, or any https APP_URL, runs with real secrets and a real provider.
        if self.secure_cookies or self.DEPLOYMENT == "production":
            placeholders = (DEV_CLIENT_SECRET, DEV_SESSION_SECRET, DEV_MAIL_EVENTS_SECRET, DEV_PORTAL_SECRET)
            for name in ("OIDC_CLIENT_SECRET", "SESSION_SECRET", "MAIL_EVENTS_SECRET", "PORTAL_SECRET"):
                if getattr(self, name) in placeholders:
                    raise ValueError(f"{name} still has its development placeholder; set a real secret")
        if self.DEPLOYMENT == "production":
            for name, shortest in MINIMUM_SECRET_LENGTHS.items():
                if len(getattr(self, name)) < shortest:
                    raise ValueError(f"{name} must be at least {shortest} characters in production")
            if not self.OIDC_ISSUER.startswith("https://"):
                raise ValueError(
                    "OIDC_ISSUER must be your identity provider's https URL in production; the development"
                    " provider is for `make run` and `make run-prod-demo` only"
                )
            if not self.LICENSE_SIGNING_KEY_FILE:
                raise ValueError(
                    "LICENSE_SIGNING_KEY_FILE must name the PEM file of the license signing key in production"
                )
            if Path(self.LICENSE_SIGNING_KEY_FILE).stat().st_mode & 0o077:
                raise ValueError(
                    f"LICENSE_SIGNING_KEY_FILE: {self.LICENSE_SIGNING_KEY_FILE} is readable by group or"
                    " others; make it readable by the app's user only (chmod 600)"
                )
        return self

    @field_validator("USAGE_STALE_DAYS")
    @classmethod
    def _positive_days(cls, value: int) -> int:
        if value < 1:
            raise ValueError("USAGE_STALE_DAYS must be a whole number of days, at least 1")
        return value

    @model_validator(mode="after")
    def _usage_pings_secret_long_enough(self) -> "Settings":
        # Unlike the other secrets it may be empty (usage pings refused), so it is not in
        # MINIMUM_SECRET_LENGTHS; one that is set is held to the same length.
        shortest = USAGE_PINGS_SECRET_MINIMUM_LENGTH
        if self.DEPLOYMENT == "production" and 0 < len(self.USAGE_PINGS_SECRET) < shortest:
            raise ValueError(
                f"USAGE_PINGS_SECRET must be at least {shortest} characters in production, or empty to"
                " refuse every usage ping"
            )
        return self

    @model_validator(mode="after")
    def _reconciliation_pauses_secret_long_enough(self) -> "Settings":
        # May be empty (the route is off), so it is not in MINIMUM_SECRET_LENGTHS; one that is set is
        # held to the same length.
        shortest = RECONCILIATION_PAUSES_SECRET_MINIMUM_LENGTH
        if self.DEPLOYMENT == "production" and 0 < len(self.RECONCILIATION_PAUSES_SECRET) < shortest:
            raise ValueError(
                f"RECONCILIATION_PAUSES_SECRET must be at least {shortest} characters in production, or"
                " empty to answer no one"
            )
        return self

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        smtp_target(value)
        return value

    @field_validator("LICENSE_SIGNING_KEY_FILE", "LICENSE_VERIFY_KEY_FILES")
    @classmethod
    def _readable_ed25519_keys(cls, value: str, info) -> str:
        from joserfc.errors import JoseError
        from joserfc.jwk import OKPKey

        for path in _comma_list(value):
            try:
                key = OKPKey.import_key(Path(path).read_bytes())
            except (OSError, ValueError, JoseError) as error:
                raise ValueError(f"{info.field_name}: {path} is not a readable Ed25519 key in PEM") from error
            if key.curve_name != "Ed25519":
                raise ValueError(f"{info.field_name}: {path} holds a {key.curve_name} key, not Ed25519")
            if info.field_name == "LICENSE_SIGNING_KEY_FILE" and not key.is_private:
                raise ValueError(
                    f"{info.field_name}: {path} holds a public key; signing needs the private key"
                )
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value


@lru_cache
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()


def check_settings() -> int:
    """`python -m admin_app.settings`: 0 when the environment makes valid settings, else each problem
    in a plain line (what `make run-prod` runs before anything starts)."""
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            print(f"Configuration: {problem['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 1
    print(f"Configuration is valid for {settings.DEPLOYMENT} at {settings.APP_URL}.")
    return 0


if __name__ == "__main__":
    sys.exit(check_settings())
