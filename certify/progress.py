"""Progress lines for long loops: ``[i/N] what…`` on standard error.

Quiet by default: nothing is printed for a run that finishes within ``delay`` seconds (2 s),
unless standard error is a terminal. Once a run has been reporting, a line follows at most
every ``interval`` seconds, and a last ``[N/N] what… done`` line closes it, so a log shows
where a slow run spent its time. No dependency (no tqdm): lines, not bars, so that logs and
pipes stay readable. Progress never goes to standard output, which may carry a certificate.

```python
from certify.progress import progress, stage
for row in progress(rows, "converting data rows"):
    ...
with stage("checking audit/cell.json (12.3 MB)"):   # a step whose loop cannot report
    check_certificate(text)
```

``stage`` is for a step whose inner loop is out of reach (the trusted checker prints nothing;
a prover's loop in a module owned elsewhere): its start line names the step and the size of
its work, and a timer thread adds ``… still <what> (N s)`` every ``HEARTBEAT`` seconds, so a
six-minute run is never silent. The environment variable ``CERTIFY_PROGRESS`` overrides the
terminal test: ``1`` reports at once (even into a log file), ``0`` never reports.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

T = TypeVar("T")

DELAY = 2.0      # seconds before a non-terminal stream hears anything
INTERVAL = 1.0   # seconds between two lines
HEARTBEAT = 10.0  # seconds between two "still" lines of a stage
ENV = "CERTIFY_PROGRESS"


def setting() -> bool | None:
    """``CERTIFY_PROGRESS``: True (report at once), False (never), None (unset: a terminal
    hears at once, anything else after ``DELAY``)."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("1", "yes", "on", "true", "always"):
        return True
    if value in ("0", "no", "off", "false", "never"):
        return False
    return None


def _eager(stream, force: bool | None) -> bool | None:
    """Report at once (True), after the delay (False), or never (None)."""
    if force is not None:
        return force
    chosen = setting()
    if chosen is not None:
        return True if chosen else None
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _write(stream, line: str) -> None:
    try:
        print(line, file=stream, flush=True)
    except (OSError, ValueError):   # a closed or broken stderr must not stop the work
        pass


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
        self._eager = _eager(self.stream, force)

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self._eager is None:   # CERTIFY_PROGRESS=0
            return
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
        _write(self.stream, line)

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


class Stage:
    """A start line for one long step (see the module docstring): at once when eager, else
    after ``delay`` seconds if the step is still running; then ``… still`` lines every
    ``heartbeat`` seconds from a timer thread; a closing ``… done`` line when anything was
    printed. The step's own thread is never interrupted."""

    def __init__(self, what: str, *, stream: TextIO | None = None, delay: float = DELAY,
                 heartbeat: float = HEARTBEAT, force: bool | None = None,
                 at_once: bool = False):
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.delay, self.heartbeat = delay, heartbeat
        self.eager = _eager(self.stream, force)
        if at_once and self.eager is False:   # known to be long: say so now (unless "never")
            self.eager = True
        self.reported = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self.started = time.monotonic()

    def __enter__(self) -> "Stage":
        self.started = time.monotonic()
        if self.eager is None:
            return self
        if self.eager:
            self._line(f"{self.what}…")
        self._schedule(self.heartbeat if self.reported else self.delay)
        return self

    def _schedule(self, seconds: float) -> None:
        timer = threading.Timer(seconds, self._tick)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _tick(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self.reported:
                short = self.what.split(" (")[0]   # the size was in the start line
                self._line(f"… still {short} ({time.monotonic() - self.started:.0f} s)")
            else:
                self._line(f"{self.what}…")
            self._schedule(self.heartbeat)

    def _line(self, text: str) -> None:
        self.reported = True
        _write(self.stream, text)

    def __exit__(self, kind, value, traceback) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self.reported and kind is None:
                _write(self.stream, f"{self.what}… done ({time.monotonic() - self.started:.1f} s)")


def stage(what: str, **options) -> Stage:
    """``with stage("what (size)"):`` around a step that cannot report (``Stage``)."""
    return Stage(what, **options)


def size_text(count: int) -> str:
    """A byte count as a person reads it: ``812 B``, ``3.4 kB``, ``12.3 MB``."""
    for unit, scale in (("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
