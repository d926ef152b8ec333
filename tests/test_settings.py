"""Production settings refuse the development provider and placeholder secrets, https or not."""

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from joserfc.jwk import ECKey, OKPKey
from pydantic import ValidationError

from admin_app.background.smtp_url import smtp_target
from admin_app.devtools.run_dev import startup_summary
from admin_app.settings import (
    DEV_CLIENT_SECRET,
    DEV_SESSION_SECRET,
    MINIMUM_SECRET_LENGTHS,
    PROJECT_ROOT,
    Settings,
    without_password,
)

KEYS = Path(tempfile.mkdtemp(prefix="license-keys-"))
SIGNING_KEY = OKPKey.generate_key("Ed25519")
(KEYS / "signing.pem").write_bytes(SIGNING_KEY.as_pem(private=True))
(KEYS / "signing.pem").chmod(0o600)
(KEYS / "shared.pem").write_bytes(SIGNING_KEY.as_pem(private=True))
(KEYS / "shared.pem").chmod(0o640)
(KEYS / "public.pem").write_bytes(SIGNING_KEY.as_pem(private=False))
(KEYS / "p256.pem").write_bytes(ECKey.generate_key("P-256").as_pem(private=True))
(KEYS / "garbage.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")

REAL = {
    "DEPLOYMENT": "production",
    "OIDC_ISSUER": "https://example.okta.com/oauth2/default",
    "OIDC_CLIENT_SECRET": "c" * 16,
    "SESSION_SECRET": "s" * 32,
    "APP_URL": "http://admin.internal:3000",
    "LICENSE_SIGNING_KEY_FILE": str(KEYS / "signing.pem"),
    "MAIL_EVENTS_SECRET": "m" * 32,
    "PORTAL_SECRET": "p" * 32,
}


def test_a_production_setup_with_real_values_is_accepted_on_plain_http_too():
    assert Settings(**REAL).DEPLOYMENT == "production"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"LICENSE_SIGNING_KEY_FILE": ""}, "LICENSE_SIGNING_KEY_FILE must name the PEM file"),
        ({"LICENSE_SIGNING_KEY_FILE": str(KEYS / "missing.pem")}, "is not a readable Ed25519 key"),
        ({"LICENSE_SIGNING_KEY_FILE": str(KEYS / "garbage.pem")}, "is not a readable Ed25519 key"),
        ({"LICENSE_SIGNING_KEY_FILE": str(KEYS / "public.pem")}, "holds a public key"),
        ({"LICENSE_SIGNING_KEY_FILE": str(KEYS / "p256.pem")}, "is not a readable Ed25519 key"),
        ({"LICENSE_VERIFY_KEY_FILES": f"{KEYS / 'public.pem'},{KEYS / 'nope.pem'}"}, "nope.pem is not"),
        ({"LICENSE_SIGNING_KEY_FILE": str(KEYS / "shared.pem")}, "shared.pem is readable by group or others"),
    ],
)
def test_production_needs_a_readable_ed25519_license_signing_key(change, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**{**REAL, **change})


def test_earlier_public_keys_are_accepted_for_validation():
    settings = Settings(**{**REAL, "LICENSE_VERIFY_KEY_FILES": str(KEYS / "public.pem")})
    assert settings.LICENSE_VERIFY_KEY_FILES.endswith("public.pem")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"OIDC_CLIENT_SECRET": DEV_CLIENT_SECRET},
            "OIDC_CLIENT_SECRET still has its development placeholder",
        ),
        ({"SESSION_SECRET": DEV_SESSION_SECRET}, "SESSION_SECRET still has its development placeholder"),
        ({"SESSION_SECRET": "too-short"}, "SESSION_SECRET must be at least 32 characters"),
        ({"SESSION_SECRET": "s" * 31}, "SESSION_SECRET must be at least 32 characters"),
        ({"MAIL_EVENTS_SECRET": ""}, "MAIL_EVENTS_SECRET must be at least 32 characters"),
        ({"MAIL_EVENTS_SECRET": "m" * 31}, "MAIL_EVENTS_SECRET must be at least 32 characters"),
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET must be at least 16 characters"),
        ({"OIDC_CLIENT_SECRET": "ab"}, "OIDC_CLIENT_SECRET must be at least 16 characters"),
        ({"MAIL_EVENTS_SECRET": "dev-mail-events-secret"}, "MAIL_EVENTS_SECRET still has its development"),
        ({"PORTAL_SECRET": "dev-portal-secret"}, "PORTAL_SECRET still has its development placeholder"),
        ({"PORTAL_SECRET": "p" * 31}, "PORTAL_SECRET must be at least 32 characters"),
        ({"SMTP_URL": "http://mail.internal"}, "SMTP_URL must look like smtp://"),
        ({"OIDC_ISSUER": "http://127.0.0.1:9400"}, "OIDC_ISSUER must be your identity provider's https URL"),
    ],
)
def test_production_refuses_development_values(change, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**{**REAL, **change})


def test_development_keeps_working_with_the_local_provider():
    assert Settings(DEPLOYMENT="development").OIDC_ISSUER == "http://127.0.0.1:9400"


def test_the_check_make_run_prod_runs_says_what_is_wrong_in_a_plain_line(tmp_path):
    env = {"DEPLOYMENT": "production", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    checked = subprocess.run(
        [sys.executable, "-m", "admin_app.settings"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        "Configuration: OIDC_CLIENT_SECRET still has its development placeholder; set a real secret"
    ]
    assert "Traceback" not in checked.stderr


def test_the_check_refuses_each_weak_secret_in_a_plain_line_that_does_not_repeat_it(tmp_path):
    weak = {
        "OIDC_CLIENT_SECRET": "ab",
        "MAIL_EVENTS_SECRET": "",
        "SESSION_SECRET": "short-secret-x",
        "PORTAL_SECRET": "portal-secret-31-characters-lon",
    }
    assert set(weak) == set(MINIMUM_SECRET_LENGTHS)
    for name, value in weak.items():
        env = {**REAL, name: value, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        checked = subprocess.run(
            [sys.executable, "-m", "admin_app.settings"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 1
        shortest = MINIMUM_SECRET_LENGTHS[name]
        assert checked.stderr.splitlines() == [
            f"Configuration: {name} must be at least {shortest} characters in production"
        ]
        assert not value or value not in checked.stderr + checked.stdout


PASSWORDS = {
    "DATABASE_URL": "postgresql+psycopg://app:db-pass-7Q@db.internal:5432/customer_admin",
    "REDIS_URL": "redis://:redis-pass-8R@cache.internal:6379/0",
    "SMTP_URL": "smtps://mailer:smtp-pass-9S@relay.internal:465",
}


def test_nothing_printed_at_start_contains_a_password(tmp_path):
    env = {**REAL, **PASSWORDS, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    checked = subprocess.run(
        [sys.executable, "-m", "admin_app.settings"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    settings = Settings(**{**REAL, **PASSWORDS})
    summary = startup_summary(settings, "https://idp.example/?x", settings.SMTP_URL, demo_users=False)
    printed = "\n".join([checked.stdout, checked.stderr, *summary, repr(smtp_target(settings.SMTP_URL))])
    for secret in ("db-pass-7Q", "redis-pass-8R", "smtp-pass-9S"):
        assert secret not in printed
    assert "postgresql+psycopg://app:***@db.internal:5432/customer_admin" in printed
    assert "redis://:***@cache.internal:6379/0" in printed
    assert "smtps://mailer:***@relay.internal:465" in printed


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/x", "postgresql+psycopg://postgres@127.0.0.1:5432/x"),
        ("sqlite:////tmp/data/app.db", "sqlite:////tmp/data/app.db"),
        ("smtp://u:p%40ss@h:25", "smtp://u:***@h:25"),
        ("redis://:p@h", "redis://:***@h"),
    ],
)
def test_a_url_is_shown_without_its_password(url, shown):
    assert without_password(url) == shown


def test_with_redis_a_worker_holds_a_tabs_state_between_its_events():
    """Reflex's opportunistic locking is on unless the deployment turns it off."""
    check = (
        "import rxconfig, redis.asyncio\n"
        "from reflex.istate.manager.redis import StateManagerRedis\n"
        "m = StateManagerRedis(redis=redis.asyncio.Redis())\n"
        "print(m._oplock_enabled, m.oplock_hold_time_ms, m.lock_expiration)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLEX_OPLOCK")}
    run = functools.partial(
        subprocess.run, [sys.executable, "-c", check], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    # A lease much shorter than the lock, so a late write-back still holds it.
    assert run(env=env).stdout.split() == ["True", "3000", "20000"]
    assert run(env={**env, "REFLEX_OPLOCK_ENABLED": "false"}).stdout.split()[0] == "False"
