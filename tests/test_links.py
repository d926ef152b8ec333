"""Links out to Zuora, Salesforce and GitLab.com: from configured templates, values quoted, none when
unset; a template that is not https or names another placeholder is refused at start."""

import pytest
from pydantic import ValidationError

from admin_app.links import external_url
from admin_app.settings import Settings, get_settings


@pytest.fixture
def configured(monkeypatch):
    monkeypatch.setenv("ZUORA_ACCOUNT_URL", "https://zuora.example/accounts/{zuora_account_id}")
    monkeypatch.setenv("GITLAB_USER_URL", "https://gitlab.example/api/v4/users/{uid}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_configured_template_makes_the_link_with_the_value_quoted(configured):
    assert external_url("ZUORA_ACCOUNT_URL", "2c92a0f9") == "https://zuora.example/accounts/2c92a0f9"
    assert (
        external_url("ZUORA_ACCOUNT_URL", "a/b?c=d#e") == "https://zuora.example/accounts/a%2Fb%3Fc%3Dd%23e"
    )
    assert external_url("GITLAB_USER_URL", 42) == "https://gitlab.example/api/v4/users/42"


def test_no_template_or_no_value_makes_no_link(configured):
    assert external_url("SALESFORCE_ACCOUNT_URL", "001ABC") == ""
    assert external_url("GITLAB_USER_URL", None) == ""


@pytest.mark.parametrize(
    "template",
    [
        "http://zuora.example/{zuora_account_id}",
        "https://zuora.example/accounts",
        "https://zuora.example/{uid}",
        "javascript:alert({zuora_account_id})",
        "https://zuora.example/{zuora_account_id}/{",
    ],
)
def test_a_template_that_is_not_an_https_link_with_its_placeholder_is_refused(template):
    with pytest.raises(ValidationError, match="ZUORA_ACCOUNT_URL"):
        Settings(ZUORA_ACCOUNT_URL=template)
