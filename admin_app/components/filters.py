"""Filter-bar controls: each calls one handler with (filter name, value)."""

from collections.abc import Callable, Mapping, Sequence

import reflex as rx
from reflex.event import EventHandler, EventSpec
from reflex.vars import Var

from admin_app.db.lists.spec import (
    AmountRangeFilter,
    ChoiceFilter,
    CodeFilter,
    DateRangeFilter,
    Filter,
    IdFilter,
    TextFilter,
)
from admin_app.state.list_page import SEARCH_BOX_ID, DescribedListState, filter_box_id

ALL = "all"


def labelled(label: str, control: rx.Component) -> rx.Component:
    """A filter's control under its label."""
    return rx.vstack(rx.text(label, size="1", color=rx.color("gray", 11)), control, spacing="1")


def select_filter(
    name: str, label: str, options: dict[str, str] | Var, value: Var, on_change: Callable
) -> rx.Component:
    """A dropdown with an "All" choice; `options` maps value -> label, or is a list the server found."""
    if isinstance(options, dict):
        items = [rx.select.item(text, value=key) for key, text in options.items()]
    else:
        items = [rx.foreach(options, lambda option: rx.select.item(option, value=option))]
    return labelled(
        label,
        rx.select.root(
            rx.select.trigger(aria_label=label, min_width="8.5rem"),
            rx.select.content(rx.select.item("All", value=ALL), *items),
            value=rx.cond(value != "", value, ALL),
            on_change=lambda v: on_change(name, v),
            size="2",
        ),
    )


def date_filter(name: str, label: str, value: Var, on_change: Callable) -> rx.Component:
    """A date input; an empty value clears the filter."""
    return labelled(
        label,
        rx.input(
            type="date",
            value=value,
            on_change=lambda v: on_change(name, v),
            aria_label=label,
            size="2",
        ),
    )


def date_range_filter(
    names: tuple[str, str], labels: tuple[str, str], chosen: Var, on_change: Callable
) -> rx.Component:
    """A from/to pair of dates that a wrapping filter bar moves to its next line together, never
    leaving "to" alone there."""
    return rx.hstack(
        *(
            date_filter(name, label, chosen[name], on_change)
            for name, label in zip(names, labels, strict=True)
        ),
        spacing="3",
        align="end",
    )


def typed_box(
    value: Var, on_change: Callable[[Var], EventSpec], *slots: rx.Component, **props: object
) -> rx.Component:
    """A text box the browser owns: it starts from `value`, sends what is typed through `on_change`
    (debounced there), and no answer from the server writes into it, so a slow answer to "carl"
    cannot overwrite the "@" typed after it. A page that loads other values sets them
    (ListPageState.load)."""
    return rx.input(*slots, default_value=value, on_change=on_change, **props)


def search_box(value: Var, on_change: EventHandler, placeholder: str) -> rx.Component:
    """The page's search box, focused by "/", searching once typing pauses for 100 ms. It does not take
    the focus when the page loads: the page's keys (`?`, `g` then a letter, `j`/`k`) work at once."""
    return typed_box(
        value,
        lambda text: on_change(text).debounce(100),
        rx.input.slot(rx.icon("search", size=16)),
        rx.input.slot(rx.code("/", size="1"), side="right"),
        id=SEARCH_BOX_ID,
        placeholder=placeholder,
        aria_label=placeholder,
        size="3",
        width="100%",
    )


def typed_filter(
    name: str, label: str, value: Var, on_change: Callable, wait_ms: int, width: str, **props: object
) -> rx.Component:
    """A filter typed into, applied once typing pauses for `wait_ms` rather than on every keystroke
    (held by the browser, as the search box is)."""
    return labelled(
        label,
        typed_box(
            value,
            lambda text: on_change(name, text).debounce(wait_ms),
            **props,
            id=filter_box_id(name),
            aria_label=label,
            width=width,
            size="2",
        ),
    )


def amount_filter(name: str, label: str, value: Var, on_change: Callable) -> rx.Component:
    """An amount of zero or more, in cents at the finest."""
    return typed_filter(name, label, value, on_change, 700, "7.5rem", type="number", min="0", step="0.01")


def text_filter(name: str, label: str, value: Var, on_change: Callable, width: str = "13rem") -> rx.Component:
    """A free-text filter."""
    return typed_filter(name, label, value, on_change, 500, width)


def box_width(max_length: int) -> str:
    """A text filter about as wide as what it takes: an id, a field's name, an email or an address."""
    return "7rem" if max_length <= 16 else "9rem" if max_length <= 60 else "13rem"


def filter_controls(
    filters: Sequence[Filter], chosen: Var, on_change: Callable, from_data: Mapping[str, Var] | None = None
) -> list[rx.Component]:
    """A control for each filter, in their order, each calling `on_change` with (name, value). A filter
    named in `from_data` offers the values the data holds (a list the server found); a record's id is
    reached by a link (a chart's bar), not offered in the bar."""
    offered = from_data or {}
    controls = []
    for f in filters:
        if f.names[0] in offered:
            name = f.names[0]
            controls.append(select_filter(name, f.label, offered[name], chosen[name], on_change))
        elif isinstance(f, ChoiceFilter):
            controls.append(select_filter(f.name, f.label, f.options, chosen[f.name], on_change))
        elif isinstance(f, CodeFilter):
            controls.append(text_filter(f.name, f.label, chosen[f.name], on_change, width="7rem"))
        elif isinstance(f, TextFilter):
            if f.in_bar:
                controls.append(
                    text_filter(f.name, f.label, chosen[f.name], on_change, box_width(f.max_length))
                )
        elif isinstance(f, DateRangeFilter):
            controls.append(date_range_filter(f.names, f.labels, chosen, on_change))
        elif isinstance(f, AmountRangeFilter):
            pairs = zip(f.names, f.labels, strict=True)
            controls += [amount_filter(name, label, chosen[name], on_change) for name, label in pairs]
        elif not isinstance(f, IdFilter):
            raise TypeError(f"No control draws a {type(f).__name__}")
    return controls


def described_filters(
    state: type[DescribedListState[object]], from_data: Mapping[str, Var] | None = None
) -> list[rx.Component]:
    """A control for each filter of the list's description, in its order (see filter_controls)."""
    return filter_controls(state._spec.filters, state.filters, state.set_filter, from_data)
