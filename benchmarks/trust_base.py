"""The checker's trust base in lines (issue 11), and how long its slowest checks take.

Prints, for every file under certify/check/, its lines and what it is; then for every kind the
files a verdict of that kind rests on (``certify.check.trust_files``: the entry point, the kind
module and the kernel files it imports) and their total; then the budgets of issue 11, which
are aims that shape the design (this script asserts nothing):

  kernel <= 1,200 lines; each kind module <= 700; one verdict's trust base <= 1,800.

With ``--time`` it also proves a few large certificates (spurious at depth 5 x width 64,
n 2,000; cell-convexity and cell-global-minimum with p = 801 path products; a cross-entropy
enclosure; a family) and times the checker on each (best of 3); ``--compare-with REV`` times
the single-file checker of that git revision (e.g. cfe1d59, before the split) on the same
texts, loaded by path from ``git show``.

Usage: python benchmarks/trust_base.py [--time] [--compare-with REV]
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

BUDGETS = {"kernel": 1200, "kind module": 700, "trust base of one verdict": 1800}


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def layout() -> None:
    from certify.check import RULES, trust_files
    check = ROOT / "certify" / "check"
    files = sorted(p for p in check.rglob("*.py") if lines(p))
    kernel = [p for p in files if p.parent.name == "kernel"]
    kinds = [p for p in files if p.parent.name == "kinds"]
    entry = [check / "checker.py"]   # trust.py, export.py, command.py: reporting, not trusted
    print("file                                   lines")
    for p in files:
        print(f"  {str(p.relative_to(ROOT)):38s} {lines(p):5d}")
    kernel_total = sum(map(lines, kernel))
    always = sum(lines(check / "kernel" / f"{n}.py") for n in ("strict", "problem", "arithmetic"))
    print(f"\nkernel files {kernel_total} lines (strict + problem + arithmetic, in every "
          f"verdict: {always}); entry point {sum(map(lines, entry))}")
    print("\ntrust base of one verdict (fraction backend; the flint backend adds "
          f"{lines(check / 'kernel' / 'flint_backend.py')} lines when used)")
    worst = 0
    for kind in sorted(RULES):
        files_of = trust_files(kind)
        total = sum(n for _, n in files_of)
        worst = max(worst, total)
        kernel_names = ", ".join(Path(name).stem for name, _ in files_of
                                 if "/kernel/" in name)
        print(f"  {kind:34s} {total:5d}  (kernel: {kernel_names})")
    print("\nbudgets (aims):")
    for label, figure in (("kernel", kernel_total), ("kind module", max(map(lines, kinds))),
                          ("trust base of one verdict", worst)):
        mark = "met" if figure <= BUDGETS[label] else "NOT met"
        print(f"  {label:28s} {figure:5d} <= {BUDGETS[label]:5d}  {mark}")


def certificates() -> dict:
    """name -> canonical text of a few large certificates (proved here, once)."""
    from bench_spurious import instance
    from certify import cells
    from certify.certificate import dumps
    from certify.construct.cell_conditions import planted_cell_minimum
    from certify.problem import Problem
    from certify.prove import prove_local_minimum_family, prove_spurious_minimum
    out = {"spurious 5x64 n 2000": dumps(prove_spurious_minimum(instance(2000, 10, 64, 5)))}
    out["family 5x64 n 500"] = dumps(prove_local_minimum_family(instance(500, 10, 64, 5)))
    problem, point = planted_cell_minimum(250, 8, 80)
    out["cell-convexity p 801 n 500"] = dumps(cells.prove_cell_convexity(problem, point,
                                                                         hessian=False))
    out["cell-global-minimum p 801 n 500"] = dumps(cells.prove_cell_global_minimum(problem,
                                                                                   point))
    ce = Problem.from_file(ROOT / "examples" / "three_class_cross_entropy.json")
    out["enclosure (example)"] = dumps(prove_spurious_minimum(ce))
    return out


def load_old(rev: str):
    source = subprocess.run(["git", "show", f"{rev}:certify/check.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "check_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("check_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def best(check, text: str) -> tuple:
    times, verdict = [], None
    for _ in range(3):
        started = time.perf_counter()
        verdict = check(text)
        times.append(time.perf_counter() - started)
    return min(times), verdict


def timing(rev: str | None) -> None:
    from certify.check import check_certificate
    old = load_old(rev) if rev else None
    print(f"\ncheck times, best of 3 (auto backend){'; before = ' + rev if rev else ''}")
    for name, text in certificates().items():
        after, verdict = best(check_certificate, text)
        assert verdict.accepted, verdict.line(name)
        line = f"  {name:34s} after {after:7.3f} s"
        if old is not None:
            before, was = best(old.check_certificate, text)
            assert was.accepted and was.facts == verdict.facts, name
            line += f"   before {before:7.3f} s"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", action="store_true")
    parser.add_argument("--compare-with", metavar="REV")
    args = parser.parse_args()
    layout()
    if args.time or args.compare_with:
        timing(args.compare_with)


if __name__ == "__main__":
    main()
