"""Compares two s3-tests runs (junit.xml of tools/s3-tests/run direct and proxy).

usage: compare.py DIRECT_DIR PROXY_DIR
Prints pass/fail/error/skip counts and wall time of each, then the tests whose outcome differs:
the ones that pass directly but not through the proxy are the proxy's regressions.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def outcomes(run_dir):
    result = {}
    for case in ET.parse(Path(run_dir) / "junit.xml").getroot().iter("testcase"):
        name = case.get("name")
        kinds = [child.tag for child in case]
        if "failure" in kinds:
            outcome = "failed"
        elif "error" in kinds:
            outcome = "error"
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        # a teardown error is reported as a second entry for the same test: keep the worse
        if result.get(name) in ("failed", "error") and outcome == "passed":
            continue
        result[name] = outcome
    return result


def wall(run_dir):
    try:
        return (Path(run_dir) / "wall-seconds").read_text().strip() + " s"
    except OSError:
        return "?"


def main():
    direct_dir, proxy_dir = sys.argv[1:3]
    direct, proxy = outcomes(direct_dir), outcomes(proxy_dir)
    kinds = ("passed", "failed", "error", "skipped")
    print("%-8s %s  wall" % ("run", " ".join("%7s" % k for k in kinds)))
    for label, res, d in (("direct", direct, direct_dir), ("proxy", proxy, proxy_dir)):
        counts = [sum(1 for o in res.values() if o == k) for k in kinds]
        print("%-8s %s  %s" % (label, " ".join("%7d" % c for c in counts), wall(d)))
    names = sorted(set(direct) | set(proxy))
    regressions = [n for n in names if direct.get(n) == "passed" and proxy.get(n) in ("failed", "error")]
    improvements = [n for n in names if proxy.get(n) == "passed" and direct.get(n) in ("failed", "error")]
    other = [n for n in names if direct.get(n) != proxy.get(n) and n not in regressions and n not in improvements]
    for title, group in (("pass direct, fail through the proxy", regressions),
                         ("fail direct, pass through the proxy", improvements),
                         ("other differences", other)):
        print("\n%s: %d" % (title, len(group)))
        for n in group:
            print("  %-60s direct=%s proxy=%s" % (n, direct.get(n, "-"), proxy.get(n, "-")))


if __name__ == "__main__":
    main()
