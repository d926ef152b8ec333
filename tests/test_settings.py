"""Production settings refuse the development provider and placeholder secrets, https or not."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from admin_app.settings import DEV_CLIENT_SECRET, DEV_SESSION_SECRET, Settings

REAL = {
    "DEPLOYMENT": "production",
    "OIDC_ISSUER": "https://example.okta.com/oauth2/default",
    "OIDC_CLIENT_SECRET": "a-real-client-secret",
    "SESSION_SECRET": "s" * 40,
    "APP_URL": "http://admin.internal:3000",
}


def test_a_production_setup_with_real_values_is_accepted_on_plain_http_too():
    assert Settings(**REAL).DEPLOYMENT == "production"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"OIDC_CLIENT_SECRET": DEV_CLIENT_SECRET},
            "OIDC_CLIENT_SECRET still has its development placeholder",
        ),
        ({"SESSION_SECRET": DEV_SESSION_SECRET}, "SESSION_SECRET still has its development placeholder"),
        ({"SESSION_SECRET": "too-short"}, "at least 32 characters"),
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
