"""Browser benchmarks in Chromium against the served app: first page load and typed-to-rendered search."""

import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import sync_playwright

from admin_app.devtools.oidc_provider import oidc_provider
from admin_app.devtools.reflex_server import CHROMIUM_ARGS, chromium_executable, free_port, reflex_server
from bench.data_layer import summary

ROWS = "[data-testid=result-row]"
TERMS = [
    "software",
    "robotics",
    "acme",
    "gmbh",
    "harbor",
    "müller",
    "a-s1000",
    "zenith",
    "pharma",
    "lunar",
    "tanaka",
    "orbit",
    "cloud",
    "nova",
    "bank",
    "falcon",
    "studios",
    "summit",
    "cedar",
    "polar",
]


def browser_benchmarks(db: str, url: str, log: Path, n: int = 20) -> Iterator[dict]:
    """First load of /licenses (server warm) and the time from typing to the matching rows on screen."""
    with (
        oidc_provider() as issuer,
        reflex_server(url, free_port(), log, extra_env={"OIDC_ISSUER": issuer}) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        warmup = context.new_page()
        warmup.goto(f"{base_url}/licenses")
        warmup.get_by_role("button", name="sales@example.com", exact=True).click()
        warmup.wait_for_selector(ROWS)
        warmup.close()

        loads = []
        for _ in range(n):
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{base_url}/licenses")
            page.wait_for_selector(ROWS)
            loads.append((time.perf_counter() - started) * 1000)
            page.close()
        yield {"bench": "first_page_load", "db": db, **summary(loads), "target_ms": 1000}

        page = context.new_page()
        page.goto(f"{base_url}/licenses")
        page.wait_for_selector(ROWS)
        searches = []
        for term in (TERMS * 2)[: max(n, 10)]:
            page.locator("#search").fill("")
            page.wait_for_selector("[data-testid=results][data-query='']")
            started = time.perf_counter()
            page.locator("#search").fill(term)
            page.wait_for_selector(f"[data-testid=results][data-query='{term}']")
            searches.append((time.perf_counter() - started) * 1000)
        yield {
            "bench": "typed_to_rendered",
            "db": db,
            **summary(searches),
            "target_p95_ms": 200,
            "includes_debounce_ms": 100,
        }
        browser.close()
