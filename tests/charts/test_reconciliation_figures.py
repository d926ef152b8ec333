"""The chart figures: shaped from aggregates, small, formatted, and absent when there is nothing to draw."""

import json
from decimal import Decimal

import pytest

from admin_app.charts import reconciliations as charts

MAX_FIGURE_BYTES = 100_000


def test_status_bars_stack_in_status_order_with_quarters_on_a_time_axis():
    figure = charts.status_by_quarter(
        [("2025-Q4", "done", 3), ("2026-Q1", "failed", 1), ("2026-Q1", "done", 2)]
    )
    assert figure.layout.barmode == "stack"
    assert [trace.name for trace in figure.data] == ["Done", "Failed"]
    done = figure.data[0]
    assert [str(x)[:10] for x in done.x] == ["2025-10-01", "2026-01-01"]
    assert list(done.y) == [3, 2]
    assert list(figure.data[1].y) == [0, 1]
    assert figure.layout.yaxis.tickformat == ",d"


def test_invoiced_lines_stay_per_currency():
    figure = charts.invoiced_by_quarter(
        [
            ("2026-Q1", "EUR", Decimal("300.00")),
            ("2026-Q1", "USD", Decimal("60.00")),
            ("2026-Q2", "USD", Decimal("5")),
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
    figure = charts.failure_rate_by_quarter([("2026-Q1", 1, 4), ("2026-Q2", 0, 3)])
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
        charts.status_by_quarter,
        charts.invoiced_by_quarter,
        charts.skip_reasons,
        charts.failure_rate_by_quarter,
        lambda rows: charts.top_accounts(rows, "USD"),
        charts.seats_added_by_quarter,
        charts.failures_by_class,
        charts.failures_by_age,
    ],
)
def test_nothing_to_draw_gives_no_figure(build):
    assert build([]) is None


def test_figures_carry_no_template_and_stay_small():
    quarters = [f"{year}-Q{number}" for year in range(2019, 2027) for number in (1, 2, 3, 4)]
    figure = charts.status_by_quarter([(q, s, 100) for q in quarters for s in ("done", "failed", "skipped")])
    encoded = figure.to_json()
    assert json.loads(encoded)["layout"].get("template", {}) == {}
    assert len(encoded) < MAX_FIGURE_BYTES


def test_each_currency_has_its_own_axis_so_yen_does_not_flatten_the_others():
    figure = charts.invoiced_by_quarter(
        [
            ("2026-Q1", "EUR", Decimal("300.00")),
            ("2026-Q1", "JPY", Decimal("9000000")),
            ("2026-Q2", "USD", Decimal("5")),
        ]
    )
    axes = {trace.name: trace.yaxis for trace in figure.data}
    assert axes == {"EUR": "y", "JPY": "y2", "USD": "y3"}
    domains = [figure.layout.yaxis.domain, figure.layout.yaxis2.domain, figure.layout.yaxis3.domain]
    assert all(low < high for low, high in domains)
    assert all(domains[i][0] > domains[i + 1][1] for i in range(2)), "the panels do not overlap"
    assert [figure.layout.yaxis.title.text, figure.layout.yaxis3.title.text] == ["EUR", "USD"]
    assert figure.layout.xaxis.anchor == "y3", "the quarter axis runs under the lowest panel"


def test_every_chart_has_its_numbers_as_a_table():
    data = {
        "status": [("2026-Q1", "done", 3), ("2026-Q1", "failed", 1), ("2026-Q2", "done", 1200)],
        "invoiced": [("2026-Q1", "EUR", Decimal("300")), ("2026-Q2", "USD", Decimal("1234.5"))],
        "skip_reasons": [("No overage", 1), ("Reseller-managed", 3)],
        "failure_rate": [("2026-Q1", 1, 4)],
        "top_accounts": [(7, "ACME", Decimal("1234.5"))],
        "seats_added": [("2026-Q1", 12)],
        "failure_classes": [("rate_limited", "Billing system rate limit", 1200)],
        "failure_ages": [("under_30", "Under 30 days", 3), ("30_90", "30 to 90 days", 0)],
    }
    tables = charts.chart_tables(data, "USD")
    assert tables["status"] == {
        "columns": ["Quarter", "Done", "Failed"],
        "rows": [["Q1 2026", "3", "1"], ["Q2 2026", "1,200", "0"]],
    }
    assert tables["invoiced"] == {
        "columns": ["Quarter", "EUR", "USD"],
        "rows": [["Q1 2026", "300.00", ""], ["Q2 2026", "", "1,234.50"]],
    }
    assert tables["skip_reasons"]["rows"] == [["Reseller-managed", "3"], ["No overage", "1"]]
    assert tables["failure_rate"] == {
        "columns": ["Quarter", "Failed", "All", "Failure rate"],
        "rows": [["Q1 2026", "1", "4", "25.0%"]],
    }
    assert tables["top_accounts"] == {
        "columns": ["Billing account", "Invoiced (USD)"],
        "rows": [["ACME (#7)", "1,234.50"]],
    }
    assert tables["seats_added"]["rows"] == [["Q1 2026", "12"]]
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
        "status": [("2026-Q1", "done", 3), ("2026-Q1", "failed", 1)],
        "invoiced": [("2026-Q1", "EUR", Decimal("300.00"))],
        "skip_reasons": [],
        "failure_rate": [("2026-Q1", 1, 4)],
        "top_accounts": [(7, "ACME", Decimal("900"))],
        "seats_added": [("2026-Q1", 12)],
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
    assert status == json.loads(charts.status_by_quarter(aggregates()["status"]).to_json())
    assert shaped.tables["top_accounts"]["rows"] == [["ACME (#7)", "900.00"]]


def test_the_same_aggregates_are_shaped_once_and_new_ones_again():
    first = charts.shaped_charts(aggregates(), "EUR")
    assert charts.shaped_charts(aggregates(), "EUR") is first
    assert charts.shaped_charts(aggregates(), "USD") is not first
    one_more = aggregates(seats_added=[("2026-Q1", 13)])
    assert charts.shaped_charts(one_more, "EUR").tables["seats_added"]["rows"] == [["Q1 2026", "13"]]


QUARTER_STARTS = {"2025-Q4": "2025-10-01", "2026-Q1": "2026-01-01"}


def test_each_clickable_point_has_the_key_of_what_it_draws():
    data = aggregates(
        status=[("2025-Q4", "done", 3), ("2026-Q1", "failed", 1), ("2026-Q1", "done", 2)],
        invoiced=[
            ("2025-Q4", "USD", Decimal("1")),
            ("2026-Q1", "EUR", Decimal("2")),
            ("2026-Q1", "USD", Decimal("3")),
        ],
        skip_reasons=[("Reseller-managed", 2), ("No overage", 5), ("Opted out", 2)],
        failure_rate=[("2025-Q4", 0, 3), ("2026-Q1", 1, 4)],
        seats_added=[("2025-Q4", 4), ("2026-Q1", 12)],
    )
    shaped = charts.shaped_charts(data, "USD")
    keys = shaped.keys
    for name in ("status", "invoiced", "failure_rate", "seats_added"):
        traces = shaped.figures[name]["data"]
        assert len(traces) == len(keys[name])
        for trace, points in zip(traces, keys[name], strict=True):
            starts = [str(x)[:10] for x in trace["x"]]
            assert starts == [QUARTER_STARTS[key[0]] for key in points]
    status = shaped.figures["status"]["data"]
    assert [[key[1] for key in points] for points in keys["status"]] == [
        [trace["name"].lower()] * 2 for trace in status
    ]
    assert keys["invoiced"] == [[["2026-Q1", "EUR"]], [["2025-Q4", "USD"], ["2026-Q1", "USD"]]]
    skip = shaped.figures["skip_reasons"]["data"][0]
    assert [key for [key] in keys["skip_reasons"][0]] == list(skip["customdata"])
    assert list(skip["customdata"]) == ["Reseller-managed", "Opted out", "No overage"], (
        "ties A to Z from the top"
    )


def test_a_chart_of_several_traces_hovers_and_clicks_the_point_under_the_pointer():
    status = charts.status_by_quarter([("2026-Q1", "failed", 1), ("2026-Q1", "done", 2)])
    invoiced = charts.invoiced_by_quarter(
        [("2026-Q1", "EUR", Decimal("2")), ("2026-Q1", "USD", Decimal("3"))]
    )
    assert status.layout.hovermode == invoiced.layout.hovermode == "closest"
    single = charts.failure_rate_by_quarter([("2026-Q1", 1, 4)])
    assert single.layout.hovermode == "x unified"


def test_the_charts_over_time_draw_quarters_and_say_so():
    from admin_app.pages.reconciliation_charts import BAR_CLICKS, reconciliation_charts_page
    from admin_app.state.reconciliation_charts import CHART_NAMES

    figure = charts.seats_added_by_quarter([("2025-Q3", 4), ("2026-Q1", 12)])
    assert [str(x)[:10] for x in figure.data[0].x] == ["2025-07-01", "2026-01-01"]
    assert figure.layout.xaxis.tickformat == figure.layout.xaxis.hoverformat == "Q%q %Y"
    page = str(reconciliation_charts_page().render())
    for title in (
        "Reconciliations per quarter, by status",
        "Failure rate per quarter",
        "Invoiced per quarter, by currency",
        "Seats added by reconciliation per quarter",
    ):
        assert title in page
    assert "month" not in page.lower()
    assert sorted(BAR_CLICKS) == sorted(CHART_NAMES), "every chart opens the list behind a bar or point"


def test_a_click_is_read_back_by_its_curve_and_index_alone():
    from admin_app.state.reconciliation_charts import _clicked_key

    keys = [[["2026-Q1", "done"], ["2026-Q2", "done"]], [["2026-Q1", "failed"]]]
    assert _clicked_key([{"curveNumber": 1, "pointIndex": 0, "x": "2019-01-01"}], keys) == [
        "2026-Q1",
        "failed",
    ]
    assert _clicked_key([{"curveNumber": 0, "pointIndex": 1}, {"curveNumber": 1, "pointIndex": 0}], keys) == [
        "2026-Q2",
        "done",
    ]
    for point in (
        {"curveNumber": 1, "pointIndex": 1},
        {"curveNumber": 2, "pointIndex": 0},
        {"curveNumber": -1, "pointIndex": 0},
        {"curveNumber": "0", "pointIndex": 0},
        {"curveNumber": True, "pointIndex": False},
        {"pointIndex": 0},
        {"curveNumber": 0},
    ):
        assert _clicked_key([point], keys) is None, point
    assert _clicked_key([], keys) is None
    assert _clicked_key(["0"], keys) is None
    assert _clicked_key([{"curveNumber": 0, "pointIndex": 0}], []) is None
