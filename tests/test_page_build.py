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


def test_the_sidebar_and_the_shortcuts_lead_only_to_pages_of_the_table():
    from admin_app.components.layout import NAV_ITEMS
    from admin_app.pages.table import PAGES

    staff_pages = {page.route for page in PAGES if page.staff_page}
    assert {item.href for item in NAV_ITEMS} <= staff_pages


def test_the_app_registers_every_page_of_the_table_and_no_other():
    from admin_app.pages.table import PAGES

    assert sorted(app._unevaluated_pages) == sorted(page.route.strip("/") or "index" for page in PAGES)
