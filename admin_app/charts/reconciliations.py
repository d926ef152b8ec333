"""The reconciliation charts: aggregates from the data layer shaped with pandas into Plotly figures.

Figures carry no template of their own, so the page's light or dark template applies; an empty
aggregate gives no figure (the page says why instead of drawing empty axes).
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


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    """The 'YYYY-MM' month column as the first day of the month, so the axis is a time axis."""
    return frame.assign(month=pd.to_datetime(frame["month"] + "-01"))


def _figure(
    traces: list,
    *,
    y_title: str,
    y_format: str,
    months: pd.Series | None = None,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout: object,
) -> go.Figure:
    """The traces with the shared look; `months` (the x values) makes the x axis a time axis with
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
    time_axis = months is not None
    if months is not None:
        span = (months.max() - months.min()).days
        # Reconciliations run quarterly: ticks on quarter starts, yearly once the range is long.
        x |= {
            "tickformat": "%b %Y",
            "hoverformat": "%B %Y",
            "tick0": "2000-01-01",
            "dtick": "M3" if span < 900 else "M12",
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


def status_by_month(rows: list[tuple[str, str, int]]) -> go.Figure | None:
    """1. Reconciliations per month, stacked by status."""
    if not rows:
        return None
    frame = _months(pd.DataFrame(rows, columns=["month", "status", "count"]))
    table = frame.pivot_table(index="month", columns="status", values="count", aggfunc="sum", fill_value=0)
    traces = [
        go.Bar(
            x=table.index,
            y=table[status],
            name=status.capitalize(),
            marker_color=STATUS_COLORS[status],
            hovertemplate="%{y:,d}",
        )
        for status in STATUSES
        if status in table.columns
    ]
    return _figure(traces, y_title="Reconciliations", y_format=",d", months=frame["month"], barmode="stack")


def invoiced_by_month(rows: list[tuple[str, str, Decimal]]) -> go.Figure | None:
    """2. Invoiced amount per month, one panel per currency: amounts in different currencies neither
    add up nor share a scale (on one axis, yen flattened every other currency to zero)."""
    if not rows:
        return None
    frame = _months(pd.DataFrame(rows, columns=["month", "currency", "amount"]))
    frame["amount"] = frame["amount"].astype(float)
    groups = list(frame.groupby("currency", sort=True))
    gap = 0.1 if len(groups) > 1 else 0.0
    band = (1 - gap * (len(groups) - 1)) / len(groups)
    traces: list[go.Scatter] = []
    axes: dict[str, dict] = {}
    for index, (currency, group) in enumerate(groups):
        suffix = "" if index == 0 else str(index + 1)
        traces.append(
            go.Scatter(
                x=group["month"],
                y=group["amount"],
                name=currency,
                yaxis=f"y{suffix}",
                mode="lines+markers",
                line={"color": CURRENCY_COLORS.get(currency)},
                hovertemplate="%{y:,.2f} " + currency,
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
        months=frame["month"],
        xaxis={"anchor": last},
        yaxis={"domain": first["domain"]},
        height=140 + 130 * len(groups),
        **axes,
    )


def skip_reasons(rows: list[tuple[str, int]]) -> go.Figure | None:
    """3. Skip reasons, largest first (at the top)."""
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["reason", "count"]).sort_values("count", ascending=True)
    bar = go.Bar(
        x=frame["count"],
        y=frame["reason"].map(_wrap),
        orientation="h",
        marker_color=STATUS_COLORS["skipped"],
        customdata=frame["reason"],
        hovertemplate="%{customdata}: %{x:,d}<extra></extra>",
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


def failure_rate_by_month(rows: list[tuple[str, int, int]]) -> go.Figure | None:
    """4. Failed / all per month, with both counts on hover."""
    if not rows:
        return None
    frame = _months(pd.DataFrame(rows, columns=["month", "failed", "all"]))
    frame["rate"] = frame["failed"] / frame["all"]
    line = go.Scatter(
        x=frame["month"],
        y=frame["rate"],
        customdata=frame[["failed", "all"]].to_numpy(),
        mode="lines+markers",
        name="Failure rate",
        line={"color": STATUS_COLORS["failed"]},
        hovertemplate="%{y:.1%} (%{customdata[0]:,d} of %{customdata[1]:,d})<extra></extra>",
    )
    return _figure([line], y_title="Failed", y_format=".1%", months=frame["month"])


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


def seats_added_by_month(rows: list[tuple[str, int]]) -> go.Figure | None:
    """6. Seats added by reconciliation per month (users above the subscription's seats)."""
    if not rows:
        return None
    frame = _months(pd.DataFrame(rows, columns=["month", "seats"]))
    bar = go.Bar(
        x=frame["month"], y=frame["seats"], marker_color=STATUS_COLORS["done"], hovertemplate="%{y:,d}"
    )
    return _figure([bar], y_title="Seats added", y_format=",d", months=frame["month"], showlegend=False)


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
        "status": status_by_month(data["status"]),
        "invoiced": invoiced_by_month(data["invoiced"]),
        "skip_reasons": skip_reasons(data["skip_reasons"]),
        "failure_rate": failure_rate_by_month(data["failure_rate"]),
        "top_accounts": top_accounts(data["top_accounts"], currency),
        "seats_added": seats_added_by_month(data["seats_added"]),
        "failure_classes": failures_by_class(data["failure_classes"]),
        "failure_ages": failures_by_age(data["failure_ages"]),
    }


def _month(value: str) -> str:
    return pd.Timestamp(value + "-01").strftime("%b %Y")


def _table(columns: list[str], rows: list[list[str]]) -> dict[str, list]:
    return {"columns": columns, "rows": rows}


def _status_table(rows: list[tuple[str, str, int]]) -> dict[str, list]:
    frame = pd.DataFrame(rows, columns=["month", "status", "count"])
    table = frame.pivot_table(index="month", columns="status", values="count", aggfunc="sum", fill_value=0)
    statuses = [s for s in STATUSES if s in table.columns]
    cells = [[_month(m), *[f"{int(row[s]):,}" for s in statuses]] for m, row in table.iterrows()]
    return _table(["Month", *[s.capitalize() for s in statuses]], cells)


def _invoiced_table(rows: list[tuple[str, str, Decimal]]) -> dict[str, list]:
    frame = pd.DataFrame(rows, columns=["month", "currency", "amount"])
    table = frame.pivot_table(index="month", columns="currency", values="amount", aggfunc="sum")
    cells = [
        [_month(m), *["" if pd.isna(v) else f"{Decimal(v):,.2f}" for v in row]] for m, row in table.iterrows()
    ]
    return _table(["Month", *table.columns], cells)


def chart_tables(data: dict[str, list], currency: str) -> dict[str, dict[str, list]]:
    """Each chart's numbers as a table (column headers, rows of text), for screen readers and for
    copying: the same aggregates the figures draw, keyed as the page names the charts."""
    skipped = sorted(data["skip_reasons"], key=lambda row: -row[1])
    return {
        "status": _status_table(data["status"]),
        "invoiced": _invoiced_table(data["invoiced"]),
        "skip_reasons": _table(["Reason", "Skipped"], [[reason, f"{n:,}"] for reason, n in skipped]),
        "failure_rate": _table(
            ["Month", "Failed", "All", "Failure rate"],
            [[_month(m), f"{f:,}", f"{a:,}", f"{f / a:.1%}"] for m, f, a in data["failure_rate"]],
        ),
        "top_accounts": _table(
            ["Billing account", f"Invoiced ({currency})"],
            [[f"{name} (#{account})", f"{amount:,.2f}"] for account, name, amount in data["top_accounts"]],
        ),
        "seats_added": _table(
            ["Month", "Seats added"], [[_month(m), f"{seats:,}"] for m, seats in data["seats_added"]]
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
    milliseconds to build and to unpickle every time the page's state is loaded) and their tables."""

    figures: dict[str, dict | None]
    tables: dict[str, dict[str, list]]


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
    )
