"""How `make load` knows an action has finished: the update that ends the page, not a quiet gap."""

from admin_app.db.find_anything import palette_term
from admin_app.devtools.reflex_socket import sets
from load.__main__ import LIST_DONE, PAGE_DONE, spaced_letters

STATE = "reflex___state____state.admin_app___state___licenses____licenses_state"


def update(**values) -> dict:
    return {"delta": {STATE: {f"{name}_rx_state_": value for name, value in values.items()}}, "events": []}


def test_a_list_is_done_with_its_count_or_its_error_not_with_its_rows():
    assert not LIST_DONE(update(rows=[{"id": "1"}], loading=False, count_label=""))
    assert LIST_DONE(update(count_label="10,000+"))
    assert LIST_DONE(update(error="The database is unavailable"))


def test_a_page_is_done_when_loading_goes_off():
    assert not PAGE_DONE(update(loading=True))
    assert not PAGE_DONE(update(license={"id": "7"}))
    assert PAGE_DONE(update(license={"id": "7"}, loading=False))


def test_sets_looks_into_nested_substates_and_ignores_other_vars():
    nested = {"delta": {"root": {"child": {"count_label_rx_state_": "3"}}}}
    assert sets("count_label", bool)(nested)
    assert not sets("count_label", bool)({"delta": {"root": {"other_count_label_rx_state_": "3"}}})


def test_the_event_that_reads_nothing_sends_a_new_text_the_palette_will_not_search():
    texts = [spaced_letters(n) for n in range(2000)]
    assert len(set(texts)) == len(texts)
    assert not any(palette_term(text) for text in texts)
