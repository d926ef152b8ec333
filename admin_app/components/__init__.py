"""Components shared by the pages: layout, table, filters, pager."""
