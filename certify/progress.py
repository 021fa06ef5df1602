"""Progress lines for long loops: ``[i/N] what…`` on standard error.

Quiet by default: nothing is printed for a run that finishes within ``delay`` seconds (2 s),
unless standard error is a terminal. Once a run has been reporting, a line follows at most
every ``interval`` seconds, and a last ``[N/N] what… done`` line closes it, so a log shows
where a slow run spent its time. No dependency (no tqdm): lines, not bars, so that logs and
pipes stay readable. Progress never goes to standard output, which may carry a certificate.

```python
from certify.progress import progress
for row in progress(rows, "converting data rows"):
    ...
```
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

T = TypeVar("T")

DELAY = 2.0      # seconds before a non-terminal stream hears anything
INTERVAL = 1.0   # seconds between two lines


class Progress:
    """Counts steps of one loop of ``total`` steps and reports them on ``stream``."""

    def __init__(self, what: str, total: int, *, stream: TextIO | None = None,
                 delay: float = DELAY, interval: float = INTERVAL,
                 clock: Callable[[], float] = time.monotonic, force: bool | None = None):
        self.what, self.total = what, max(int(total), 0)
        self.stream = stream if stream is not None else sys.stderr
        self.delay, self.interval, self.clock = delay, interval, clock
        self.started = clock()
        self.done = 0
        self.reported = False   # has any line been printed?
        self._last = None       # time of the last line
        if force is None:
            try:
                force = self.stream.isatty()
            except (AttributeError, ValueError):
                force = False
        self._eager = force

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        now = self.clock()
        if self._last is None:
            if self._eager or now - self.started >= self.delay:
                self._emit(now)
        elif now - self._last >= self.interval:
            self._emit(now)

    def finish(self) -> None:
        """The closing line, only if this run reported anything."""
        if self.reported:
            self._write(f"[{self.done}/{self.total}] {self.what}… done "
                        f"({self.clock() - self.started:.1f} s)")

    def _emit(self, now: float) -> None:
        self._last = now
        self.reported = True
        self._write(f"[{self.done}/{self.total}] {self.what}…")

    def _write(self, line: str) -> None:
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):   # a closed or broken stderr must not stop the work
            pass

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.finish()


def progress(items: Iterable[T], what: str, total: int | None = None, **options) -> Iterator[T]:
    """Yield ``items``, reporting ``[i/N] what…`` as they are consumed (see ``Progress``)."""
    if total is None:
        total = len(items)  # type: ignore[arg-type]
    bar = Progress(what, total, **options)
    for item in items:
        yield item
        bar.advance()
    bar.finish()
