"""Every page builds without a browser: a field a page reads that its view does not have fails here,
when Reflex turns the page into components, instead of in the browser tests or in production."""

import pytest
from reflex_base.utils.exceptions import VarAttributeError

from admin_app.admin_app import app
from admin_app.pages.customer_detail import C


@pytest.mark.parametrize("route", sorted(app._unevaluated_pages))
def test_the_page_builds(route):
    page = app._unevaluated_pages[route]
    built = page.component() if callable(page.component) else page.component
    assert built.render()["name"]


def test_a_field_a_view_does_not_have_fails_when_the_page_is_built():
    assert C["login_activated"]._var_type is bool
    with pytest.raises(VarAttributeError):
        C["login_activatd"]
