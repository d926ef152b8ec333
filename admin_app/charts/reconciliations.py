"""The reconciliation charts: aggregates from the data layer shaped with pandas into Plotly figures.

Reconciliations run quarterly, so the charts over time draw one bar or point per quarter. Figures
carry no template of their own, so the page's light or dark template applies; an empty aggregate
gives no figure (the page says why instead of drawing empty axes). Each clickable chart comes with
the keys of the points it drew (PointKeys), so a click is read back by index alone.
"""

import json
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io

from admin_app.db.reconciliations.search import STATUSES

STATUS_COLORS = {
    "pending": "#8b8d98",
    "processing": "#3e63dd",
    "done": "#30a46c",
    "skipped": "#f5a623",
    "failed": "#e5484d",
}
CURRENCY_COLORS = {"USD": "#3e63dd", "EUR": "#8e4ec6", "GBP": "#12a594", "JPY": "#e54666"}
GRID = "rgba(128, 128, 128, 0.25)"
FONT = {"family": "Inter, system-ui, sans-serif", "size": 12}
QUARTER_FORMAT = "Q%q %Y"
CLICK = "<extra>click to open</extra>"
# Per trace (Plotly's curveNumber), the key of each of its points (pointIndex): the parts that pick
# the point's rows out of the list (a quarter, a status, a currency, a skip reason).
PointKeys = list[list[list[str]]]


def _starts(quarters: pd.Series | pd.Index) -> pd.DatetimeIndex:
    """The first day of each "2025-Q3" quarter, so the axis is a time axis."""
    return pd.PeriodIndex(quarters, freq="Q").to_timestamp()


def _figure(
    traces: list,
    *,
    y_title: str,
    y_format: str,
    quarters: pd.DatetimeIndex | None = None,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout: object,
) -> go.Figure:
    """The traces with the shared look; `quarters` (the x values) makes the x axis a time axis with
    quarter ticks. The layout is given whole, once: Plotly's update_* calls cost 25 ms a chart."""
    # A grey that reads on the light and the dark template alike.
    x = {"gridcolor": GRID, "zerolinecolor": GRID}
    y = {
        "title": {"text": y_title},
        "tickformat": y_format,
        "rangemode": "tozero",
        "gridcolor": GRID,
        "zerolinecolor": GRID,
    }
    time_axis = quarters is not None
    if quarters is not None:
        long = (quarters.max() - quarters.min()).days >= 900
        # Ticks on quarter starts, yearly once the range is long.
        x |= {
            "tickformat": "%Y" if long else QUARTER_FORMAT,
            "hoverformat": QUARTER_FORMAT,
            "tick0": "2000-01-01",
            "dtick": "M12" if long else "M3",
        }
    shared = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": FONT,
        "margin": {"l": 60, "r": 16, "t": 16, "b": 48},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "x unified" if time_axis else "closest",
        "xaxis": x | (xaxis or {}),
        "yaxis": {name: value for name, value in (y | (yaxis or {})).items() if value is not None},
    }
    figure = go.Figure(traces, layout=shared | layout)
    figure.layout.template = None
    return figure


def _wrap(label: str, width: int = 30) -> str:
    """A long category label on several lines, so the bars keep their room."""
    return "<br>".join(textwrap.wrap(label, width)) or label


def _status_counts(rows: list[tuple[str, str, int]]) -> tuple[pd.DataFrame, list[str]]:
    """Reconciliations per quarter (rows, oldest first) and status (columns), and the statuses drawn."""
    frame = pd.DataFrame(rows, columns=["quarter", "status", "count"])
    table = frame.pivot_table(index="quarter", columns="status", values="count", aggfunc="sum", fill_value=0)
    return table, [status for status in STATUSES if status in table.columns]


def status_by_quarter(rows: list[tuple[str, str, int]]) -> go.Figure | None:
    """1. Reconciliations per quarter, stacked by status; a bar's part is clickable, so the hover is
    the part under the pointer."""
    if not rows:
        return None
    table, statuses = _status_counts(rows)
    quarters = _starts(table.index)
    traces = [
        go.Bar(
            x=quarters,
            y=table[status],
            name=status.capitalize(),
            marker_color=STATUS_COLORS[status],
            hovertemplate=f"%{{x|{QUARTER_FORMAT}}}, {status}: %{{y:,d}}{CLICK}",
        )
        for status in statuses
    ]
    return _figure(
        traces,
        y_title="Reconciliations",
        y_format=",d",
        quarters=quarters,
        barmode="stack",
        hovermode="closest",
    )


def _currency_groups(rows: list[tuple[str, str, Decimal]]) -> list[tuple[str, pd.DataFrame]]:
    """Each currency's invoiced amounts per quarter, oldest first; currencies A to Z."""
    frame = pd.DataFrame(rows, columns=["quarter", "currency", "amount"]).sort_values(
        "quarter", kind="stable"
    )
    frame["amount"] = frame["amount"].astype(float)
    return [(str(currency), group) for currency, group in frame.groupby("currency", sort=True)]


def invoiced_by_quarter(rows: list[tuple[str, str, Decimal]]) -> go.Figure | None:
    """2. Invoiced amount per quarter, one panel per currency: amounts in different currencies neither
    add up nor share a scale (on one axis, yen flattened every other currency to zero). A point is
    clickable, so the hover is the point under the pointer."""
    if not rows:
        return None
    groups = _currency_groups(rows)
    gap = 0.1 if len(groups) > 1 else 0.0
    band = (1 - gap * (len(groups) - 1)) / len(groups)
    traces: list[go.Scatter] = []
    axes: dict[str, dict] = {}
    for index, (currency, group) in enumerate(groups):
        suffix = "" if index == 0 else str(index + 1)
        traces.append(
            go.Scatter(
                x=_starts(group["quarter"]),
                y=group["amount"],
                name=currency,
                yaxis=f"y{suffix}",
                mode="lines+markers",
                line={"color": CURRENCY_COLORS.get(currency)},
                hovertemplate=f"%{{x|{QUARTER_FORMAT}}}: %{{y:,.2f}} {currency}{CLICK}",
            )
        )
        top = 1 - index * (band + gap)
        axes[f"yaxis{suffix}"] = {
            "domain": [max(0.0, top - band), top],
            "title": {"text": currency},
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "gridcolor": GRID,
            "zerolinecolor": GRID,
        }
    first = axes.pop("yaxis")
    last = f"y{len(groups)}" if len(groups) > 1 else "y"
    return _figure(
        traces,
        y_title=first["title"]["text"],
        y_format=",.0f",
        quarters=_starts(pd.Index(sorted({quarter for quarter, _, _ in rows}))),
        xaxis={"anchor": last},
        yaxis={"domain": first["domain"]},
        height=140 + 130 * len(groups),
        hovermode="closest",
        **axes,
    )


def _skip_frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """The skip reasons as drawn from the bottom up: fewest first, so the most frequent is at the top."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0]))[::-1]
    return pd.DataFrame(ordered, columns=["reason", "count"])


def skip_reasons(rows: list[tuple[str, int]]) -> go.Figure | None:
    """3. Skip reasons, largest first (at the top); a bar is clickable."""
    if not rows:
        return None
    frame = _skip_frame(rows)
    bar = go.Bar(
        x=frame["count"],
        y=frame["reason"].map(_wrap),
        orientation="h",
        marker_color=STATUS_COLORS["skipped"],
        customdata=frame["reason"],
        hovertemplate="%{customdata}: %{x:,d}" + CLICK,
    )
    return _figure(
        [bar],
        y_title="",
        y_format="",
        xaxis={"title": {"text": "Skipped reconciliations"}, "tickformat": ",d"},
        yaxis={"automargin": True, "rangemode": None},
        height=max(200, 60 + 44 * len(frame)),
        margin={"l": 16, "r": 16, "t": 16, "b": 48},
    )


def failure_rate_by_quarter(rows: list[tuple[str, int, int]]) -> go.Figure | None:
    """4. Failed / all per quarter, with both counts on hover; a point is clickable (one trace: the
    quarter's point whichever of its height is clicked)."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["quarter", "failed", "all"])
    frame["rate"] = frame["failed"] / frame["all"]
    quarters = _starts(frame["quarter"])
    line = go.Scatter(
        x=quarters,
        y=frame["rate"],
        customdata=frame[["failed", "all"]].to_numpy(),
        mode="lines+markers",
        name="Failure rate",
        line={"color": STATUS_COLORS["failed"]},
        hovertemplate="%{y:.1%} (%{customdata[0]:,d} of %{customdata[1]:,d})" + CLICK,
    )
    return _figure([line], y_title="Failed", y_format=".1%", quarters=quarters)


def top_accounts(rows: list[tuple[int, str, Decimal]], currency: str) -> go.Figure | None:
    """5. The ten billing accounts invoiced most in `currency`, largest at the top; a bar is clickable."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["account", "name", "amount"]).iloc[::-1]
    frame["amount"] = frame["amount"].astype(float)
    bar = go.Bar(
        x=frame["amount"],
        y=(frame["name"] + " (#" + frame["account"].astype(str) + ")").map(lambda label: _wrap(label, 44)),
        orientation="h",
        marker_color=CURRENCY_COLORS.get(currency),
        hovertemplate="%{y}: %{x:,.2f} " + currency + "<extra>click to open</extra>",
    )
    return _figure(
        [bar],
        y_title="",
        y_format="",
        xaxis={"title": {"text": f"Invoiced ({currency})"}, "tickformat": ",.0f"},
        yaxis={"automargin": True, "rangemode": None},
        height=max(200, 60 + 30 * len(frame)),
        margin={"l": 16, "r": 16, "t": 16, "b": 48},
    )


def seats_added_by_quarter(rows: list[tuple[str, int]]) -> go.Figure | None:
    """6. Seats added by reconciliation per quarter (users above the subscription's seats); a bar is
    clickable."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["quarter", "seats"])
    quarters = _starts(frame["quarter"])
    bar = go.Bar(
        x=quarters, y=frame["seats"], marker_color=STATUS_COLORS["done"], hovertemplate="%{y:,d}" + CLICK
    )
    return _figure([bar], y_title="Seats added", y_format=",d", quarters=quarters, showlegend=False)


def failures_by_class(rows: list[tuple[str, str, int]]) -> go.Figure | None:
    """7. Open failures by class, in the classes' order from the top; a bar is clickable."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["key", "label", "count"]).iloc[::-1]
    bar = go.Bar(
        x=frame["count"],
        y=frame["label"],
        orientation="h",
        marker_color=STATUS_COLORS["failed"],
        hovertemplate="%{y}: %{x:,d}<extra>click to open</extra>",
    )
    return _figure(
        [bar],
        y_title="",
        y_format="",
        xaxis={"title": {"text": "Open failures"}, "tickformat": ",d"},
        yaxis={"automargin": True, "rangemode": None},
        height=max(200, 60 + 36 * len(frame)),
        margin={"l": 16, "r": 16, "t": 16, "b": 48},
    )


def failures_by_age(rows: list[tuple[str, str, int]]) -> go.Figure | None:
    """8. Open failures by the age of their reconciliation date, youngest first; a bar is clickable."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["key", "label", "count"])
    bar = go.Bar(
        x=frame["label"],
        y=frame["count"],
        marker_color=STATUS_COLORS["failed"],
        hovertemplate="%{x}: %{y:,d}<extra>click to open</extra>",
    )
    return _figure([bar], y_title="Open failures", y_format=",d", showlegend=False)


def all_figures(data: dict[str, list], currency: str) -> dict[str, go.Figure | None]:
    """The figures from the aggregates, keyed as the page names them."""
    return {
        "status": status_by_quarter(data["status"]),
        "invoiced": invoiced_by_quarter(data["invoiced"]),
        "skip_reasons": skip_reasons(data["skip_reasons"]),
        "failure_rate": failure_rate_by_quarter(data["failure_rate"]),
        "top_accounts": top_accounts(data["top_accounts"], currency),
        "seats_added": seats_added_by_quarter(data["seats_added"]),
        "failure_classes": failures_by_class(data["failure_classes"]),
        "failure_ages": failures_by_age(data["failure_ages"]),
    }


def point_keys(data: dict[str, list]) -> dict[str, PointKeys]:
    """The keys of the points each clickable chart of quarters and skip reasons draws, in the order
    its figure draws them: what a click's curve number and point index are read back against."""
    table, statuses = _status_counts(data["status"])
    return {
        "status": [[[str(quarter), status] for quarter in table.index] for status in statuses],
        "invoiced": [
            [[str(quarter), currency] for quarter in group["quarter"]]
            for currency, group in _currency_groups(data["invoiced"])
        ],
        "skip_reasons": [[[reason] for reason in _skip_frame(data["skip_reasons"])["reason"]]],
        "failure_rate": [[[quarter] for quarter, _, _ in data["failure_rate"]]],
        "seats_added": [[[quarter] for quarter, _ in data["seats_added"]]],
    }


def _quarter(value: str) -> str:
    """ "Q3 2025" for "2025-Q3"."""
    year, _, number = value.partition("-")
    return f"{number} {year}"


def _table(columns: list[str], rows: list[list[str]]) -> dict[str, list]:
    return {"columns": columns, "rows": rows}


def _status_table(rows: list[tuple[str, str, int]]) -> dict[str, list]:
    table, statuses = _status_counts(rows)
    cells = [[_quarter(q), *[f"{int(row[s]):,}" for s in statuses]] for q, row in table.iterrows()]
    return _table(["Quarter", *[s.capitalize() for s in statuses]], cells)


def _invoiced_table(rows: list[tuple[str, str, Decimal]]) -> dict[str, list]:
    frame = pd.DataFrame(rows, columns=["quarter", "currency", "amount"])
    table = frame.pivot_table(index="quarter", columns="currency", values="amount", aggfunc="sum")
    cells = [
        [_quarter(q), *["" if pd.isna(v) else f"{Decimal(v):,.2f}" for v in row]]
        for q, row in table.iterrows()
    ]
    return _table(["Quarter", *table.columns], cells)


def chart_tables(data: dict[str, list], currency: str) -> dict[str, dict[str, list]]:
    """Each chart's numbers as a table (column headers, rows of text), for screen readers and for
    copying: the same aggregates the figures draw, keyed as the page names the charts."""
    skipped = sorted(data["skip_reasons"], key=lambda row: -row[1])
    return {
        "status": _status_table(data["status"]),
        "invoiced": _invoiced_table(data["invoiced"]),
        "skip_reasons": _table(["Reason", "Skipped"], [[reason, f"{n:,}"] for reason, n in skipped]),
        "failure_rate": _table(
            ["Quarter", "Failed", "All", "Failure rate"],
            [[_quarter(q), f"{f:,}", f"{a:,}", f"{f / a:.1%}"] for q, f, a in data["failure_rate"]],
        ),
        "top_accounts": _table(
            ["Billing account", f"Invoiced ({currency})"],
            [[f"{name} (#{account})", f"{amount:,.2f}"] for account, name, amount in data["top_accounts"]],
        ),
        "seats_added": _table(
            ["Quarter", "Seats added"], [[_quarter(q), f"{seats:,}"] for q, seats in data["seats_added"]]
        ),
        "failure_classes": _table(
            ["Failure class", "Open failures"], [[label, f"{n:,}"] for _, label, n in data["failure_classes"]]
        ),
        "failure_ages": _table(
            ["Age", "Open failures"], [[label, f"{n:,}"] for _, label, n in data["failure_ages"]]
        ),
    }


@dataclass(frozen=True)
class ShapedCharts:
    """The page's figures as plain JSON (what the browser draws; a Figure object costs tens of
    milliseconds to build and to unpickle every time the page's state is loaded), their tables, and
    the keys of the clickable charts' points (point_keys)."""

    figures: dict[str, dict | None]
    tables: dict[str, dict[str, list]]
    keys: dict[str, PointKeys]


def shaped_charts(data: dict[str, list], currency: str) -> ShapedCharts:
    """Figures and tables for these aggregates; the same aggregates (the usual case: the same filters
    and no new reconciliation since) are shaped once per worker."""
    frozen = tuple((name, tuple(map(tuple, data[name]))) for name in sorted(data))
    return _shaped(frozen, currency)


@lru_cache(maxsize=64)
def _shaped(frozen: tuple, currency: str) -> ShapedCharts:
    data = {name: [list(row) for row in rows] for name, rows in frozen}
    figures = all_figures(data, currency)
    return ShapedCharts(
        figures={
            name: None if figure is None else json.loads(plotly.io.to_json(figure, validate=False))
            for name, figure in figures.items()
        },
        tables=chart_tables(data, currency),
        keys=point_keys(data),
    )
