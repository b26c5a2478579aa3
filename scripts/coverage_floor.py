"""Branch coverage of engine/ and web/, each on its own, from the last test run's .coverage; exit 1 under the floor.

Usage: python scripts/coverage_floor.py [--floor 90] [--data-file .coverage]
(.ci/run runs it after `scripts/test.sh --cov`; coverage's own fail_under sees only the total).
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import coverage
from coverage.exceptions import NoDataError

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "web")


def package_figures(data_file: Path) -> dict[str, float]:
    """Percent of statements and branches covered in each package (coverage.py's own total formula)."""
    cov = coverage.Coverage(data_file=str(data_file), config_file=str(REPO / "setup.cfg"))
    cov.load()
    try:
        cov.combine(keep=False)  # subprocess data files not combined by pytest-cov yet, if any
        cov.save()
    except NoDataError:  # none: the data file has it all
        pass
    return {package: cov.report(include=[str(REPO / package / "*")], file=io.StringIO()) for package in PACKAGES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=90.0, help="least percent for each package (default 90)")
    parser.add_argument("--data-file", type=Path, default=REPO / ".coverage")
    args = parser.parse_args(argv)
    if not args.data_file.is_file():
        print(f"coverage: no data at {args.data_file} (run the tests with --cov first)", file=sys.stderr)
        return 1
    figures = package_figures(args.data_file)
    low = [package for package, percent in figures.items() if percent < args.floor]
    for package, percent in figures.items():
        verdict = "below the floor" if package in low else "ok"
        print(f"coverage {package}/: {percent:.2f}% (statements and branches; floor {args.floor:g}%) {verdict}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
