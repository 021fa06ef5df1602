"""Generate the appendix: every theorem's proof steps, checked, as Markdown, CSV and LaTeX.

Run: python examples/appendix.py [OUTPUT_DIR]   (default: ./appendix)
"""
import sys

from certify.cli import main

folder = sys.argv[1] if len(sys.argv) > 1 else "appendix"
for fmt in ("markdown", "csv", "latex"):
    status = main(["table", "--format", fmt, "-o", folder])
    if status:
        sys.exit(status)
print(f"tables in {folder}/: theorems.md, theorems.csv, theorems.tex (+ appendix.tex wrapper)")
