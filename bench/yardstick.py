"""The machine's yardstick, printed beside timings: CPU speed differs up to 2.5x between machines."""

import statistics
import subprocess
import sys

# Ten million additions at module level, as the project's performance goals are stated against.
ADDITIONS = (
    "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10_000_000):\n    s += i\n"
    "print(time.perf_counter() - t)"
)


def yardstick_s() -> float:
    """Seconds for ten million additions in a fresh interpreter, the median of three runs."""
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", ADDITIONS], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return round(statistics.median(runs), 3)
