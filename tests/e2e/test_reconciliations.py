"""Reconciliations in Chromium: the table, the detail, the CSV, and the six charts linked to the table."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    E2E_COMPANY,
    E2E_ERROR,
    E2E_SUBSCRIPTION,
    close_page,
    lightness,
    new_page,
    screenshot,
)
from tests.e2e.test_accessibility import violations_on

pytestmark = pytest.mark.e2e

ROWS = "[data-testid=result-row]"
CHARTS = ("status", "failure_rate", "invoiced", "seats_added", "skip_reasons", "top_accounts")


def figure(page: Page, name: str):
    return page.get_by_test_id(f"chart-{name}").locator(".js-plotly-plot")


def open_charts(page: Page, app_server: str, query: str = "") -> None:
    page.goto(app_server + "/reconciliations/charts" + query)
    for name in CHARTS:
        # The first visit loads Plotly's bundle (about 4 MB) on demand: slow on a busy machine.
        expect(figure(page, name)).to_be_visible(timeout=30_000)


def test_table_finds_a_customer_and_shows_why_it_failed(page, app_server):
    page.goto(app_server + "/reconciliations")
    expect(page.locator(ROWS).first).to_be_visible()
    screenshot(page, "reconciliations")

    page.locator("#search").press_sequentially("zephyr e2e", delay=30)
    expect(page.locator("[data-testid=results][data-query='zephyr e2e']")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.get_by_test_id("result-count")).to_have_text("3 reconciliations")

    failed = page.locator(ROWS).filter(has_text="Failed")
    expect(failed).to_contain_text(E2E_ERROR[:40])
    failed.click()
    expect(page).to_have_url(re.compile(r"/reconciliations/\d+$"))
    expect(page.get_by_text(E2E_ERROR, exact=True)).to_be_visible()
    # An error no class knows is quoted as such, not guessed at.
    expect(page.get_by_text("a reason this page does not know").first).to_be_visible()
    expect(page.get_by_role("link", name=E2E_SUBSCRIPTION).first).to_be_visible()
    expect(page.get_by_text("9,876,543.21 USD")).to_be_visible()
    screenshot(page, "reconciliation-detail")


def test_filters_live_in_the_url_and_bad_values_get_a_message(page, app_server):
    page.goto(app_server + "/reconciliations?q=zephyr&status=bogus&from=2025-09-30&to=2025-07-01&min=-5")
    expect(page.get_by_text("Unknown status 'bogus' was ignored.")).to_be_visible()
    expect(
        page.get_by_text("The reconciliation-date range was reversed; it has been swapped.")
    ).to_be_visible()
    expect(
        page.get_by_text("Minimum amount '-5' is not an amount of zero or more and was ignored.")
    ).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(3)

    page.get_by_label("Status").click()
    page.get_by_role("option", name="Skipped").click()
    expect(page).to_have_url(re.compile(r"status=skipped"))
    expect(page.locator(ROWS)).to_have_count(1)
    page.reload()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.get_by_label("Status")).to_have_text("Skipped")


def test_csv_download_has_the_filtered_rows(page, app_server):
    page.goto(app_server + "/reconciliations?q=zephyr+e2e&status=done")
    expect(page.locator(ROWS)).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert download.suggested_filename == "reconciliations.csv"
    assert [(r["customer_name"], r["status"], r["invoiced_amount"]) for r in rows] == [
        (E2E_COMPANY, "done", "9876543.21")
    ]


def test_charts_render_and_follow_the_filters(page, app_server):
    open_charts(page, app_server)
    summary_before = page.get_by_test_id("chart-summary").inner_text()
    screenshot(page, "charts-light")
    status_chart = page.get_by_test_id("chart-status")
    status_chart.hover()
    with page.expect_download() as png:
        status_chart.get_by_role("button", name="Download plot as a PNG").click()
    assert png.value.suggested_filename == "reconciliations-by-status.png"

    page.get_by_label("Quarter").click()
    page.get_by_role("option", name="2025-Q3").click()

    expect(page).to_have_url(re.compile(r"from=2025-07-01&to=2025-09-30"))
    expect(page.get_by_test_id("chart-summary")).not_to_have_text(summary_before)
    for name in CHARTS:
        expect(figure(page, name)).to_be_visible()
    expect(page.get_by_label("Date from")).to_have_value("2025-07-01")


def test_charts_follow_the_theme(browser, app_server, signed_in_state):
    labels = {}
    for scheme in ("light", "dark"):
        page = new_page(browser, signed_in_state("manager@example.com"), color_scheme=scheme)
        open_charts(page, app_server, "?from=2025-01-01&to=2025-12-31")
        chart = page.get_by_test_id("chart-status")
        expect(chart.locator(".xtick text").first).to_be_visible()
        labels[scheme] = chart.locator(".xtick text").first.evaluate("t => getComputedStyle(t).fill")
        background = chart.locator(".main-svg").first.evaluate("svg => getComputedStyle(svg).backgroundColor")
        assert background in ("rgba(0, 0, 0, 0)", "transparent"), scheme
        if scheme == "dark":
            screenshot(page, "charts-dark")
        close_page(page)
    assert lightness(labels["light"]) < 0.5 < lightness(labels["dark"])


def test_a_filter_that_leaves_nothing_says_so(page, app_server):
    page.goto(app_server + "/reconciliations/charts?from=2001-01-01&to=2001-03-31")
    expect(page.get_by_test_id("chart-summary")).to_have_text("No reconciliations match these filters.")
    for name in CHARTS:
        expect(page.get_by_test_id(f"chart-{name}")).to_contain_text("Nothing to show")


def test_a_manager_finds_the_failed_share_of_q3_and_who_failed(browser, app_server, signed_in_state):
    page = new_page(browser, signed_in_state("manager@example.com"))
    open_charts(page, app_server, "?from=2025-07-01&to=2025-09-30")
    expect(page.get_by_test_id("chart-summary")).to_contain_text(re.compile(r"failed \(\d+\.\d%\)"))

    page.get_by_role("button", name="Failed ones in the table").click()

    expect(page).to_have_url(re.compile(r"/reconciliations\?.*status=failed"))
    expect(page).to_have_url(re.compile(r"from=2025-07-01"))
    expect(page.locator(ROWS).first).to_be_visible()
    page.locator("#search").press_sequentially("zephyr", delay=30)
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text(E2E_COMPANY)
    close_page(page)


def test_a_click_on_a_top_ten_bar_opens_that_account(page, app_server):
    open_charts(page, app_server, "?from=2025-07-01&to=2025-09-30&currency=USD")
    top = figure(page, "top_accounts")
    expect(top).to_contain_text(E2E_COMPANY)
    bars = top.locator(".bars .point path")
    expect(bars).to_have_count(10)
    top.scroll_into_view_if_needed()
    box = bars.last.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    expect(top.locator(".hoverlayer .hovertext")).to_contain_text(E2E_COMPANY)
    page.mouse.click(x, y)

    expect(page).to_have_url(re.compile(r"/reconciliations\?.*account=\d+"))
    expect(page.locator(ROWS).first).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(3)
    for row in page.locator(ROWS).all():
        expect(row).to_contain_text(E2E_COMPANY)


def test_each_chart_unfolds_into_its_numbers(page, app_server):
    open_charts(page, app_server, "?from=2025-01-01&to=2025-12-31")
    invoiced = page.get_by_test_id("chart-invoiced")
    # One panel (y axis) per currency in the demo data, so no currency is flattened by another.
    titles = invoiced.evaluate(
        "card => [...card.querySelectorAll('text')]"
        ".filter(t => /^y\\d*title$/.test(t.getAttribute('class'))).length"
    )
    assert titles >= 2
    for name in CHARTS:
        numbers = page.get_by_test_id(f"numbers-{name}")
        numbers.get_by_text("The numbers").click()
        table = numbers.get_by_role("table")
        expect(table).to_be_visible()
        expect(table.get_by_role("row").nth(1)).to_be_visible()
    status = page.get_by_test_id("numbers-status").get_by_role("table")
    expect(status.get_by_role("columnheader").first).to_have_text("Quarter")
    expect(status.get_by_role("row").nth(1).get_by_role("cell").first).to_have_text(
        re.compile(r"^Q[1-4] 2025$")
    )
    screenshot(page, "charts-numbers")
    assert violations_on(page) == []


def test_a_click_on_a_failure_class_opens_those_failures(page, app_server):
    open_charts(page, app_server, "?from=2025-01-01&to=2025-12-31")
    classes = page.get_by_test_id("chart-failure_classes").locator(".js-plotly-plot")
    expect(classes).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("chart-failure_ages").locator(".js-plotly-plot")).to_be_visible()
    bars = classes.locator(".bars .point path")
    expect(bars.first).to_be_visible()
    classes.scroll_into_view_if_needed()
    box = bars.first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect(page).to_have_url(re.compile(r"/reconciliations\?.*status=failed.*failure=\w+"))
    expect(page.locator(ROWS).first).to_be_visible()
    for row in page.locator(ROWS).all()[:10]:
        expect(row).to_contain_text("Failed")


def test_a_click_on_a_quarter_of_the_status_chart_opens_that_quarters_reconciliations(page, app_server):
    open_charts(page, app_server, "?channel=direct")
    status = figure(page, "status")
    bars = status.locator(".bars .point path")
    expect(bars.last).to_be_attached()
    status.scroll_into_view_if_needed()
    # The last quarter's tallest part (the quarters with no reconciliation of a status draw empty bars).
    box = max((bar.bounding_box() for bar in bars.all()[-12:]), key=lambda b: b["height"] if b else 0)
    assert box is not None and box["height"] > 2
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect(page).to_have_url(re.compile(r"/reconciliations\?.*channel=direct"))
    expect(page).to_have_url(re.compile(r"status=\w+.*from=\d{4}-\d\d-01.*to=\d{4}-\d\d-\d\d|from=.*status="))
    expect(page.locator(ROWS).first).to_be_visible()
