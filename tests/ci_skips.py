"""A pytest plugin: in CI (CI or REQUIRE_POSTGRES set) a skipped test fails the run, since it did not run."""

import os


def pytest_sessionfinish(session, exitstatus) -> None:
    if not (os.environ.get("REQUIRE_POSTGRES") or os.environ.get("CI")):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped; CI counts a skip as a failure.", red=True)
        session.exitstatus = 1
