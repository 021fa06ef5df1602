"""The command line: ``certify COMMAND``. One module per group of commands:

| module        | commands                                                           |
| ------------- | ------------------------------------------------------------------ |
| commands.py   | demo, assumptions, spurious, family, theorems, table, check; main  |
| cells.py      | cell, cell-convexity, cell-minimum, equivalent, boundary, valley,   |
|               | critical-point                                                     |
| audit.py      | audit                                                              |
| imports.py    | import, plot                                                       |
| sweep.py      | sweep; table of certificate files                                  |
| output.py     | what every command prints: human lines or one ``--json`` object    |
"""
from .commands import EXIT_TIME_LIMIT, EXIT_USAGE, build_parser, entry_point, main

__all__ = ["EXIT_TIME_LIMIT", "EXIT_USAGE", "build_parser", "entry_point", "main"]
