"""CSV export helpers: formulas defused, rows streamed in chunks."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from admin_app.web.csv_export import FLUSH_EVERY, FORMULA_PREFIXES, csv_chunks, safe_cell


def test_cells_a_spreadsheet_would_run_are_defused():
    assert [safe_cell(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx")] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
    ]
    assert [safe_cell(v) for v in ("ACME", 42, None, "a=b")] == ["ACME", "42", "", "a=b"]


def test_rows_arrive_in_chunks_and_read_back_intact():
    rows = ([n, f'Company, "{n}"\nLtd'] for n in range(FLUSH_EVERY * 2 + 5))
    chunks = list(csv_chunks(["id", "company"], rows))
    assert len(chunks) == 3
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed[0] == ["id", "company"]
    assert len(parsed) == FLUSH_EVERY * 2 + 6
    assert parsed[7] == ["6", 'Company, "6"\nLtd']


cells = st.one_of(
    st.text(),
    st.text(alphabet="=+-@\t\r\n\",;'|%x ", max_size=8),
    st.integers(),
    st.none(),
    st.decimals(allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=4), max_size=5))
def test_any_cell_reads_back_as_written_and_never_starts_a_formula(rows):
    text = "".join(csv_chunks(["a", "b", "c", "d"], rows))
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == ["a", "b", "c", "d"]
    assert len(parsed) == len(rows) + 1
    for written, read in zip(rows, parsed[1:], strict=True):
        originals = ["" if value is None else str(value) for value in written]
        assert read == ["'" + cell if cell.startswith(FORMULA_PREFIXES) else cell for cell in originals]
        assert not any(cell.startswith(FORMULA_PREFIXES) for cell in read)
