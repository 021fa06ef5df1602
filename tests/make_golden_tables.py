"""Regenerate tests/golden/tables/ (review the diff before committing it)."""
from pathlib import Path

from certify.cli import main

if __name__ == "__main__":
    out = Path(__file__).parent / "golden" / "tables"
    for fmt in ("markdown", "csv", "latex"):
        main(["table", "--theorems", "hwt1", "hwt4", "hwt5", "--format", fmt, "-o", str(out)])
    for name in ("trust.md", "trust.csv", "trust.tex"):   # machine-dependent: not golden
        (out / name).unlink(missing_ok=True)
