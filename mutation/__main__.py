"""`make mutation`: mutmut over the sign-in code and the rule modules (pyproject's [tool.mutmut]), each
mutant run against the fast tests that cover it. Prints killed / survived / timed out per module and
writes every survivor, with its diff, to mutation/results/survivors.txt.

A survivor no test can tell apart from the original (an equivalent mutant) is listed in
mutation/equivalent.txt with one line saying why; it is left out of its module's score.
"""

import argparse
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).parent / "mutmut")
EQUIVALENT = ROOT / "mutation" / "equivalent.txt"
RESULTS = ROOT / "mutation" / "results"
STATS = ROOT / "mutants" / "mutmut-stats.json"
GOAL = 0.90
# mutmut's words for a mutant's fate, and what the table calls them.
DETECTED = {"killed", "timeout", "caught by type check"}
COLUMNS = ("killed", "timeout", "survived", "no tests", "other")
NOT_RUN = "not checked"


def module_of(mutant: str) -> str:
    """`admin_app.db.customers.edit.x_plan__mutmut_3` and `...refusal_log.xǁRefusalLogǁrecord__mutmut_1`
    are mutants of `admin_app.db.customers.edit` and `admin_app.auth.refusal_log`."""
    for marker in (".xǁ", ".x_"):
        if marker in mutant:
            return mutant.split(marker, 1)[0]
    return mutant.rsplit(".", 1)[0]


def read_results() -> dict[str, str]:
    listed = subprocess.run(
        [MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    fates = {}
    for line in listed.splitlines():
        name, _, fate = line.strip().rpartition(": ")
        if name:
            fates[name] = fate
    return fates


def equivalent_mutants() -> dict[str, str]:
    """Mutant name -> why no test can tell it apart, from mutation/equivalent.txt."""
    if not EQUIVALENT.exists():
        return {}
    listed = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            listed[name] = why.strip()
    return listed


def column(fate: str) -> str:
    if fate in ("killed", "timeout", "survived", "no tests"):
        return fate
    return "killed" if fate in DETECTED else "other"


def report(fates: dict[str, str], equivalent: dict[str, str]) -> tuple[list[str], list[str]]:
    """The table's lines, and the survivors not explained as equivalent."""
    counts: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for name, fate in sorted(fates.items()):
        if fate == NOT_RUN:
            counts[module_of(name)]["not run"] += 1
            continue
        if name in equivalent:
            counts[module_of(name)]["equivalent"] += 1
            continue
        counts[module_of(name)][column(fate)] += 1
        if fate not in DETECTED:
            survivors.append(name)
    names = " ".join(f"{c:>8}" for c in (*COLUMNS, "equivalent", "not run"))
    lines = [f"{'module':42} {'mutants':>7} {names}  score"]
    for module, count in sorted(counts.items()):
        scored = sum(count[c] for c in COLUMNS)
        score = (count["killed"] + count["timeout"]) / scored if scored else 1.0
        mark = "" if score >= GOAL else "  below 90 %"
        cells = " ".join(f"{count[c]:>8}" for c in (*COLUMNS, "equivalent", "not run"))
        total = scored + count["equivalent"] + count["not run"]
        lines.append(f"{module:42} {total:>7} {cells} {score:6.1%}{mark}")
    return lines, survivors


def diff_of(mutant: str) -> str:
    shown = subprocess.run([MUTMUT, "show", mutant], cwd=ROOT, capture_output=True, text=True).stdout
    return "\n".join(line for line in shown.splitlines() if line.startswith(("+", "-", "@@")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report-only", action="store_true", help="report the last run without running")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run again the mutants the last run did not detect (after tests were added), then report",
    )
    args = parser.parse_args()
    if args.again:
        undetected = [name for name, fate in read_results().items() if fate not in DETECTED | {NOT_RUN}]
        # mutmut traces only tests with new names; a test changed in place would keep its old trace
        # (the functions it calls), so every test is traced again.
        STATS.unlink(missing_ok=True)
        subprocess.run([MUTMUT, "run", *undetected], cwd=ROOT, check=False)
    elif not args.report_only:
        subprocess.run([MUTMUT, "run"], cwd=ROOT, check=False)
    fates = read_results()
    lines, survivors = report(fates, equivalent_mutants())
    print("\n".join(lines))
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / "survivors.txt").open("w") as out:
        for name in survivors:
            out.write(f"{name}: {fates[name]}\n{diff_of(name)}\n\n")
    print(f"\n{len(survivors)} survivors (diffs in {RESULTS / 'survivors.txt'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
