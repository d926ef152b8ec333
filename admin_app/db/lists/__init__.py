"""The list engine every list shares: a list described once, parameters read from a URL, safe text search,
keyset pages and capped counts.
"""
