"""State of the reconciliation charts: one filter bar (in the URL) drives every figure."""

import asyncio
from datetime import date
from urllib.parse import urlencode

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from admin_app.auth.gate import requires
from admin_app.auth.permissions import Permission
from admin_app.charts import reconciliations as charts
from admin_app.db.lists.spec import Query, today_utc
from admin_app.db.reconciliations import stats
from admin_app.db.session import DATABASE_UNAVAILABLE, in_session
from admin_app.state.app_state import AppState
from admin_app.state.events import Payload, Replies, Reply
from admin_app.state.list_page import ALL
from admin_app.state.loading import done_within

CHART_NAMES = (
    "status",
    "invoiced",
    "skip_reasons",
    "failure_rate",
    "top_accounts",
    "seats_added",
    "failure_classes",
    "failure_ages",
)


def _index(value: object, size: int) -> int | None:
    """`value` when it is a whole number from 0 to `size` - 1; None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size else None


def _first_point(points: list[Payload]) -> Payload | None:
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    return points[0]


def _clicked(points: list[Payload], bars: int) -> int | None:
    """The index of the bar a click's first point is on, among `bars` bars; None for anything else."""
    point = _first_point(points)
    return None if point is None else _index(point.get("pointIndex"), bars)


def _clicked_key(points: list[Payload], keys: list[list[list[str]]]) -> list[str] | None:
    """The key the server drew for the point a click's first point is on: only its curve number and
    point index are read, each checked against the points drawn; None for anything else."""
    point = _first_point(points)
    curve = None if point is None else _index(point.get("curveNumber"), len(keys))
    if point is None or curve is None:
        return None
    index = _index(point.get("pointIndex"), len(keys[curve]))
    return None if index is None else keys[curve][index]


class ReconciliationChartsState(AppState):
    """The filter bar's values, the figures, and which of them the filters left empty."""

    filters: dict[str, str] = {}
    notices: list[str] = []
    loading: bool = True
    error: str = ""
    top_currency: str = stats.DEFAULT_TOP_CURRENCY
    # Plotly figure JSON (see charts.ShapedCharts): never mutated, a worker's cache may share them.
    status_figure: dict[str, object] = {}
    invoiced_figure: dict[str, object] = {}
    skip_reasons_figure: dict[str, object] = {}
    failure_rate_figure: dict[str, object] = {}
    top_accounts_figure: dict[str, object] = {}
    seats_added_figure: dict[str, object] = {}
    failure_classes_figure: dict[str, object] = {}
    failure_ages_figure: dict[str, object] = {}
    empty: dict[str, bool] = {}
    # Each chart's numbers as a table: its column headers and its rows.
    table_columns: dict[str, list[str]] = {}
    table_rows: dict[str, list[list[str]]] = {}
    quarters: list[str] = []
    total: int = 0
    failed: int = 0
    _top_account_ids: list[int] = []
    # The keys of the points of the charts over quarters and of the skip reasons, as drawn
    # (charts.point_keys): chart -> curve -> point -> key.
    _point_keys: dict[str, list[list[list[str]]]] = {}
    # The keys of the open-failure bars, in the aggregates' order, and the day their ages count to.
    _failure_class_keys: list[str] = []
    _failure_age_keys: list[str] = []
    _age_day: str = ""

    def _query(self) -> Query:
        return stats.parse_chart_query(self.filters).query

    def _params(self) -> dict[str, str]:
        return {name: value for name, value in self.filters.items() if value}

    @staticmethod
    def _open(params: dict[str, str] | None) -> Reply:
        """The table at a chart's slice; nothing when the slice was refused."""
        return None if params is None else rx.redirect("/reconciliations?" + urlencode(params))

    @rx.var
    def table_url(self) -> str:
        """The reconciliations table with the same filters."""
        params = self._params()
        return "/reconciliations" + (f"?{urlencode(params)}" if params else "")

    @rx.var
    def failed_table_url(self) -> str:
        """The failed reconciliations behind the failure-rate chart."""
        return "/reconciliations?" + urlencode({**self._params(), "status": "failed"})

    @rx.var
    def has_filters(self) -> bool:
        return bool(self._params())

    @rx.var
    def summary(self) -> str:
        """The headline of the filtered set: how many ran and what share failed."""
        if not self.total:
            return "No reconciliations match these filters."
        return f"{self.total:,} reconciliations, {self.failed:,} failed ({self.failed / self.total:.1%})."

    @rx.var
    def quarter(self) -> str:
        """The quarter the date range is exactly, if it is one (for the quarter picker)."""
        return stats.quarter_of_range(self.filters.get("from", ""), self.filters.get("to", ""))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    async def load(self) -> Replies:
        """Read the filters from the URL and compute every chart's aggregate in SQL, side by side."""
        parsed = stats.parse_chart_query(dict(self.router.url.query_parameters))
        query = parsed.query
        chosen = stats.chart_params(query)
        self.filters = {name: chosen.get(name, "") for name in stats.CHART_FILTERS}
        self.notices = parsed.errors
        today = today_utc()
        self.top_currency = query.value("currency") or stats.DEFAULT_TOP_CURRENCY
        self.loading, self.error = True, ""
        aggregates = asyncio.ensure_future(self._aggregates(query, today))
        if not await done_within(aggregates):
            yield None
        try:
            self.quarters, results = await aggregates
        except SQLAlchemyError:
            self.loading, self.error = False, DATABASE_UNAVAILABLE
            return
        data = dict(zip(CHART_NAMES, results, strict=True))
        self._top_account_ids = [account for account, _, _ in data["top_accounts"]]
        self._failure_class_keys = [key for key, _, _ in data["failure_classes"]]
        self._failure_age_keys = [key for key, _, _ in data["failure_ages"]]
        self._age_day = today.isoformat()
        self.failed = sum(failed for _, failed, _ in data["failure_rate"])
        self.total = sum(count for _, _, count in data["failure_rate"])
        # Shaping new aggregates takes tens of milliseconds of CPU: off the event loop.
        shaped = await asyncio.to_thread(charts.shaped_charts, data, self.top_currency)
        self.table_columns = {name: table["columns"] for name, table in shaped.tables.items()}
        self.table_rows = {name: table["rows"] for name, table in shaped.tables.items()}
        for name, figure in shaped.figures.items():
            if figure is not None:
                setattr(self, f"{name}_figure", figure)
        self.empty = {name: figure is None for name, figure in shaped.figures.items()}
        self._point_keys = shaped.keys
        self.loading = False

    @staticmethod
    async def _aggregates(query: Query, today: date) -> tuple[list[str], list[stats.ChartRows]]:
        """The quarters to offer, and the aggregates: this worker's copy while no reconciliation
        changed that day, else from SQL."""
        version, quarters = await in_session(
            lambda session: (
                stats.rollup_version(session=session),
                stats.quarter_choices(session=session, today=today),
            )
        )
        results = stats.CHART_RESULTS.get(query, version, today)
        if results is None:
            aggregates = stats.chart_aggregates(query, today)
            results = list(await asyncio.gather(*(in_session(fn) for fn in aggregates)))
            stats.CHART_RESULTS.keep(query, version, results, today)
        return quarters, results

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def set_filter(self, name: str, value: str) -> Reply:
        """Change one filter; every chart follows through the URL."""
        if name not in stats.CHART_FILTERS or not isinstance(value, str):
            return None
        params = {**self._params(), name: "" if value == ALL else value}
        query = stats.parse_chart_query(params).query
        encoded = urlencode(stats.chart_params(query))
        return rx.redirect("/reconciliations/charts" + (f"?{encoded}" if encoded else ""))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def set_quarter(self, value: str) -> Reply:
        """Set the date range to a whole quarter ("2025-Q3")."""
        dates = stats.quarter_range(value) if isinstance(value, str) else None
        if dates is None:
            return None
        params = {**self._params(), "from": dates[0].isoformat(), "to": dates[1].isoformat()}
        return rx.redirect("/reconciliations/charts?" + urlencode(params))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def clear_filters(self) -> Reply:
        return rx.redirect("/reconciliations/charts")

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_account(self, points: list[Payload]) -> Reply:
        """A click on a top-10 bar opens the table filtered to that account (bars are drawn bottom-up)."""
        ids = self._top_account_ids
        index = _clicked(points, len(ids))
        if index is None:
            return None
        params = {**self._params(), "currency": self.top_currency, "account": str(ids[len(ids) - 1 - index])}
        return rx.redirect("/reconciliations?" + urlencode(params))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_failure_class(self, points: list[Payload]) -> Reply:
        """A click on a failure-class bar opens the table at that class's open failures (bars are
        drawn bottom-up); the class is the server's own, checked again as a failure class."""
        keys = self._failure_class_keys
        index = _clicked(points, len(keys))
        if index is None:
            return None
        return self._open(stats.failure_class_params(self._query(), keys[len(keys) - 1 - index]))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_failure_age(self, points: list[Payload]) -> Reply:
        """A click on an age bar opens the table at the open failures of those reconciliation dates,
        counted to the day the chart was drawn for."""
        keys = self._failure_age_keys
        index = _clicked(points, len(keys))
        if index is None or not self._age_day:
            return None
        day = date.fromisoformat(self._age_day)
        return self._open(stats.failure_age_params(self._query(), keys[index], day))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_status(self, points: list[Payload]) -> Reply:
        """A click on a part of a status bar opens the table at that quarter's reconciliations of
        that status; quarter and status are the server's own, checked again."""
        key = _clicked_key(points, self._point_keys.get("status", []))
        return None if key is None else self._open(stats.status_params(self._query(), *key))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_invoiced(self, points: list[Payload]) -> Reply:
        """A click on an invoiced point opens the table at that quarter's invoiced reconciliations
        in that currency."""
        key = _clicked_key(points, self._point_keys.get("invoiced", []))
        return None if key is None else self._open(stats.invoiced_params(self._query(), *key))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_skip_reason(self, points: list[Payload]) -> Reply:
        """A click on a skip-reason bar opens the table at the reconciliations skipped for it."""
        key = _clicked_key(points, self._point_keys.get("skip_reasons", []))
        return None if key is None else self._open(stats.skip_reason_params(self._query(), *key))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_failure_rate(self, points: list[Payload]) -> Reply:
        """A click on a failure-rate point opens the table at that quarter's failed reconciliations."""
        key = _clicked_key(points, self._point_keys.get("failure_rate", []))
        return None if key is None else self._open(stats.failure_rate_params(self._query(), *key))

    @rx.event
    @requires(Permission.RECONCILIATIONS_READ)
    def open_seats_added(self, points: list[Payload]) -> Reply:
        """A click on a seats-added bar opens the table at that quarter's completed reconciliations."""
        key = _clicked_key(points, self._point_keys.get("seats_added", []))
        return None if key is None else self._open(stats.seats_added_params(self._query(), *key))
