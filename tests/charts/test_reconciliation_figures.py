"""The chart figures: shaped from aggregates, small, formatted, and absent when there is nothing to draw."""

import json
from decimal import Decimal

import pytest

from admin_app.charts import reconciliations as charts

MAX_FIGURE_BYTES = 100_000


def test_status_bars_stack_in_status_order_with_months_on_a_time_axis():
    figure = charts.status_by_month(
        [("2025-12", "done", 3), ("2026-01", "failed", 1), ("2026-01", "done", 2)]
    )
    assert figure.layout.barmode == "stack"
    assert [trace.name for trace in figure.data] == ["Done", "Failed"]
    done = figure.data[0]
    assert [str(x)[:10] for x in done.x] == ["2025-12-01", "2026-01-01"]
    assert list(done.y) == [3, 2]
    assert list(figure.data[1].y) == [0, 1]
    assert figure.layout.yaxis.tickformat == ",d"


def test_invoiced_lines_stay_per_currency():
    figure = charts.invoiced_by_month(
        [
            ("2026-01", "EUR", Decimal("300.00")),
            ("2026-01", "USD", Decimal("60.00")),
            ("2026-02", "USD", Decimal("5")),
        ]
    )
    assert {trace.name: list(trace.y) for trace in figure.data} == {"EUR": [300.0], "USD": [60.0, 5.0]}


def test_skip_reasons_put_the_largest_at_the_top():
    figure = charts.skip_reasons(
        [("No overage", 5), ("Reseller-managed subscription: reconciled by the partner", 2)]
    )
    bars = figure.data[0]
    assert bars.orientation == "h"
    assert list(bars.x) == [2, 5]
    assert bars.y[-1] == "No overage"
    assert "<br>" in bars.y[0]


def test_failure_rate_carries_the_counts_for_the_hover():
    figure = charts.failure_rate_by_month([("2026-01", 1, 4), ("2026-04", 0, 3)])
    line = figure.data[0]
    assert list(line.y) == [0.25, 0.0]
    assert [list(row) for row in line.customdata] == [[1, 4], [0, 3]]
    assert figure.layout.yaxis.tickformat == ".1%"


def test_top_accounts_are_drawn_largest_at_the_top_in_the_currency():
    figure = charts.top_accounts([(7, "ACME", Decimal("900")), (3, "Globex", Decimal("100"))], "EUR")
    assert list(figure.data[0].y) == ["Globex (#3)", "ACME (#7)"]
    assert figure.layout.xaxis.title.text == "Invoiced (EUR)"


def test_open_failures_by_class_read_in_the_classes_order_from_the_top():
    figure = charts.failures_by_class(
        [("rate_limited", "Billing system rate limit", 5), ("unclassified", "Unclassified", 2)]
    )
    bars = figure.data[0]
    assert bars.orientation == "h"
    assert list(bars.y) == ["Unclassified", "Billing system rate limit"]
    assert list(bars.x) == [2, 5]


def test_open_failures_by_age_run_youngest_first():
    figure = charts.failures_by_age(
        [("under_30", "Under 30 days", 4), ("30_90", "30 to 90 days", 0), ("over_90", "Over 90 days", 1)]
    )
    assert list(figure.data[0].x) == ["Under 30 days", "30 to 90 days", "Over 90 days"]
    assert list(figure.data[0].y) == [4, 0, 1]
    assert figure.layout.yaxis.tickformat == ",d"


@pytest.mark.parametrize(
    "build",
    [
        charts.status_by_month,
        charts.invoiced_by_month,
        charts.skip_reasons,
        charts.failure_rate_by_month,
        lambda rows: charts.top_accounts(rows, "USD"),
        charts.seats_added_by_month,
        charts.failures_by_class,
        charts.failures_by_age,
    ],
)
def test_nothing_to_draw_gives_no_figure(build):
    assert build([]) is None


def test_figures_carry_no_template_and_stay_small():
    months = [f"{year}-{month:02d}" for year in range(2019, 2027) for month in (1, 4, 7, 10)]
    figure = charts.status_by_month([(m, s, 100) for m in months for s in ("done", "failed", "skipped")])
    encoded = figure.to_json()
    assert json.loads(encoded)["layout"].get("template", {}) == {}
    assert len(encoded) < MAX_FIGURE_BYTES


def test_each_currency_has_its_own_axis_so_yen_does_not_flatten_the_others():
    figure = charts.invoiced_by_month(
        [
            ("2026-01", "EUR", Decimal("300.00")),
            ("2026-01", "JPY", Decimal("9000000")),
            ("2026-02", "USD", Decimal("5")),
        ]
    )
    axes = {trace.name: trace.yaxis for trace in figure.data}
    assert axes == {"EUR": "y", "JPY": "y2", "USD": "y3"}
    domains = [figure.layout.yaxis.domain, figure.layout.yaxis2.domain, figure.layout.yaxis3.domain]
    assert all(low < high for low, high in domains)
    assert all(domains[i][0] > domains[i + 1][1] for i in range(2)), "the panels do not overlap"
    assert [figure.layout.yaxis.title.text, figure.layout.yaxis3.title.text] == ["EUR", "USD"]
    assert figure.layout.xaxis.anchor == "y3", "the month axis runs under the lowest panel"


def test_every_chart_has_its_numbers_as_a_table():
    data = {
        "status": [("2026-01", "done", 3), ("2026-01", "failed", 1), ("2026-02", "done", 1200)],
        "invoiced": [("2026-01", "EUR", Decimal("300")), ("2026-02", "USD", Decimal("1234.5"))],
        "skip_reasons": [("No overage", 1), ("Reseller-managed", 3)],
        "failure_rate": [("2026-01", 1, 4)],
        "top_accounts": [(7, "ACME", Decimal("1234.5"))],
        "seats_added": [("2026-01", 12)],
        "failure_classes": [("rate_limited", "Billing system rate limit", 1200)],
        "failure_ages": [("under_30", "Under 30 days", 3), ("30_90", "30 to 90 days", 0)],
    }
    tables = charts.chart_tables(data, "USD")
    assert tables["status"] == {
        "columns": ["Month", "Done", "Failed"],
        "rows": [["Jan 2026", "3", "1"], ["Feb 2026", "1,200", "0"]],
    }
    assert tables["invoiced"] == {
        "columns": ["Month", "EUR", "USD"],
        "rows": [["Jan 2026", "300.00", ""], ["Feb 2026", "", "1,234.50"]],
    }
    assert tables["skip_reasons"]["rows"] == [["Reseller-managed", "3"], ["No overage", "1"]]
    assert tables["failure_rate"]["rows"] == [["Jan 2026", "1", "4", "25.0%"]]
    assert tables["top_accounts"] == {
        "columns": ["Billing account", "Invoiced (USD)"],
        "rows": [["ACME (#7)", "1,234.50"]],
    }
    assert tables["seats_added"]["rows"] == [["Jan 2026", "12"]]
    assert tables["failure_classes"] == {
        "columns": ["Failure class", "Open failures"],
        "rows": [["Billing system rate limit", "1,200"]],
    }
    assert tables["failure_ages"] == {
        "columns": ["Age", "Open failures"],
        "rows": [["Under 30 days", "3"], ["30 to 90 days", "0"]],
    }


def aggregates(**overrides) -> dict[str, list]:
    data = {
        "status": [("2026-01", "done", 3), ("2026-01", "failed", 1)],
        "invoiced": [("2026-01", "EUR", Decimal("300.00"))],
        "skip_reasons": [],
        "failure_rate": [("2026-01", 1, 4)],
        "top_accounts": [(7, "ACME", Decimal("900"))],
        "seats_added": [("2026-01", 12)],
        "failure_classes": [("timed_out", "Billing system timeout", 1)],
        "failure_ages": [("under_30", "Under 30 days", 1), ("30_90", "30 to 90 days", 0)],
    }
    return data | overrides


def test_shaped_charts_are_plain_json_the_browser_draws_as_the_figures_would():
    shaped = charts.shaped_charts(aggregates(), "EUR")
    assert shaped.figures["skip_reasons"] is None
    status = shaped.figures["status"]
    assert json.loads(json.dumps(status)) == status
    assert [trace["name"] for trace in status["data"]] == ["Done", "Failed"]
    assert status == json.loads(charts.status_by_month(aggregates()["status"]).to_json())
    assert shaped.tables["top_accounts"]["rows"] == [["ACME (#7)", "900.00"]]


def test_the_same_aggregates_are_shaped_once_and_new_ones_again():
    first = charts.shaped_charts(aggregates(), "EUR")
    assert charts.shaped_charts(aggregates(), "EUR") is first
    assert charts.shaped_charts(aggregates(), "USD") is not first
    one_more = aggregates(seats_added=[("2026-01", 13)])
    assert charts.shaped_charts(one_more, "EUR").tables["seats_added"]["rows"] == [["Jan 2026", "13"]]
