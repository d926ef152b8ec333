"""In CI a skipped test fails the run; on a developer's machine a skip stays a skip."""

import pytest

SKIPPING = "import pytest\n\ndef test_needs_a_service():\n    pytest.skip('the service is not running')\n"


@pytest.mark.parametrize(("ci", "outcome"), [("1", 1), ("", 0)], ids=["in CI", "on a laptop"])
def test_a_skipped_test_fails_the_run_only_in_ci(pytester, monkeypatch, ci, outcome):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("REQUIRE_POSTGRES", ci)
    pytester.makepyfile(SKIPPING)
    result = pytester.runpytest_inprocess("-p", "tests.ci_skips")
    result.assert_outcomes(skipped=1)
    assert result.ret == outcome
