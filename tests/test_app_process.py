"""What the app sets for the whole worker process when it is imported."""

import sys

import pytest


def test_a_worker_hands_its_gil_to_a_database_thread_within_a_millisecond():
    from admin_app import admin_app

    assert sys.getswitchinterval() == pytest.approx(admin_app.GIL_SWITCH_INTERVAL_S)
    assert admin_app.GIL_SWITCH_INTERVAL_S <= 0.001
