"""CSV export helpers: formulas defused, rows streamed in chunks."""

import csv
import io

from admin_app.csv_export import FLUSH_EVERY, csv_chunks, safe_cell


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
