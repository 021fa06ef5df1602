"""Resource limits of the prover side, and the ``--time-limit`` guard of the command line.

Every limit hit is a ``CertifyError`` with a stable code and one clear line, never a crash:

| limit | value | code |
| --- | --- | --- |
| digits per number (user files, certificates) | 10,000 (``exact.MAX_DIGITS``, SCHEMA.md) | ``number-too-large`` |
| problem file size | 256 MiB (``problem.MAX_FILE_BYTES``) | ``bad-input`` |
| data file (CSV, ``.npz``, an ``.npz`` member's declared size) | ``MAX_DATA_FILE_BYTES`` = 256 MiB | ``limit-exceeded`` |
| samples (rows) of a data file | ``MAX_SAMPLES`` = 1,000,000 | ``limit-exceeded`` |
| numbers of a data file (rows x columns, inputs and targets) | ``MAX_DATA_ENTRIES`` = 10,000,000 | ``limit-exceeded`` |
| special files (FIFO, device, directory) as problem or data files | refused before opening | ``not-a-regular-file`` |
| certificate file size (``certify check``) | ``MAX_CERTIFICATE_BYTES`` = 1 GiB | ``too-large`` |
| hidden layers | ``MAX_HIDDEN_LAYERS`` = 64 | ``limit-exceeded`` |
| width of a layer | ``MAX_WIDTH`` = 4,096 | ``limit-exceeded`` |
| weights and biases of a point | ``MAX_PARAMETERS`` = 4,000,000 | ``limit-exceeded`` |
| samples x widest hidden layer (pre-activations stored at once: the checker, the spurious prover and the radius keep one layer) | ``MAX_ACTIVATIONS`` = 50,000,000 | ``limit-exceeded`` |
| samples x all hidden units, where every layer is kept (``network.forward``: cells, valleys, audit) | ``MAX_ACTIVATIONS`` | ``limit-exceeded`` |
| breakpoints per activation | ``MAX_BREAKPOINTS`` = 10,000 | ``limit-exceeded`` |
| wall-clock time (``--time-limit SECONDS``) | user's choice | ``time-limit`` |
| z3 (family checks) | 10 s per query, in ``check/kernel/polynomials.py``; timeout or ``unknown`` rejects | — |

The time limit is a SIGALRM timer: its handler raises ``_Expired``, a ``BaseException`` so
that no ``except Exception`` on the way (the checker turns every ``Exception`` into an
``internal-error`` verdict) can swallow it, and the guard turns it into ``TimeLimitError``.
Python itself swallows exceptions raised inside gc callbacks and ``__del__`` methods: the
handler does not raise there, and after the limit the signal repeats every ``RETRY`` seconds
until the guard has exited.
Outputs are written only after ``stop_clock()`` (``certificate.write_atomically`` calls it
first: writing an output is the end of the work), and atomically, so a limit never leaves a
partial file, nor a file at all when the limit struck first: exit code 4, nothing written.
Every command that can run long takes ``--time-limit`` (``cli/output.add_common_options``). A long C-level operation (one huge integer product) cannot be interrupted by a
signal; for the command-line process a watchdog thread ends the process with the same one
line a few seconds after the limit.
"""
from __future__ import annotations

import gc
import math
import os
import signal
import sys
import threading
from contextlib import contextmanager

from .errors import CertifyError, InputError

MAX_HIDDEN_LAYERS = 64
MAX_WIDTH = 4096
MAX_PARAMETERS = 4_000_000
MAX_ACTIVATIONS = 50_000_000
MAX_BREAKPOINTS = 10_000
MAX_DATA_FILE_BYTES = 256 * 1024 * 1024
MAX_SAMPLES = 1_000_000
MAX_DATA_ENTRIES = 10_000_000
MAX_CERTIFICATE_BYTES = 1 << 30
MAX_TIME_LIMIT = 10 ** 7            # seconds; beyond that, setitimer's range is not the point
WATCHDOG_GRACE = 5.0                # seconds after the limit before the hard exit
RETRY = 0.05                        # seconds between repeated signals after the limit


class TimeLimitError(CertifyError):
    """The wall-clock limit given with ``--time-limit`` was reached."""

    code = "time-limit"


class _Expired(BaseException):
    """Raised by the SIGALRM handler; converted to TimeLimitError by ``time_limit`` (and by
    the command line, should it surface between the block and the guard's exit)."""


Expired = _Expired


def check_problem_size(widths, activations, n: int) -> None:
    """Refuse problems beyond the limits above before any work is done. The messages quote
    the offending sizes through ``display.show``: a width of 10^5000 is one short line."""
    from .display import show
    hidden = len(widths) - 2
    if hidden > MAX_HIDDEN_LAYERS:
        raise InputError(f"{hidden} hidden layers; at most {MAX_HIDDEN_LAYERS} are supported",
                         code="limit-exceeded", path="network.widths")
    for j, w in enumerate(widths):
        if w > MAX_WIDTH:
            raise InputError(f"layer {j} has width {show(w)}; at most {MAX_WIDTH} is supported",
                             code="limit-exceeded", path=f"network.widths[{j}]")
    parameters = sum(a * b + b for a, b in zip(widths, widths[1:]))
    if parameters > MAX_PARAMETERS:
        raise InputError(f"the network has {show(parameters)} weights and biases; at most "
                         f"{MAX_PARAMETERS} are supported", code="limit-exceeded",
                         path="network.widths")
    # what is stored at once, not what could be: an exact forward pass holds one layer's
    # pre-activations (every n x width sample matrix of the checker, the spurious prover's
    # rows); ``network.forward``, which keeps every layer, checks the sum itself
    check_stored_activations(n, max(widths[1:-1], default=0),
                             "hidden units of the widest layer")
    for j, act in enumerate(activations):
        if len(act.breakpoints) > MAX_BREAKPOINTS:
            raise InputError(f"{len(act.breakpoints)} breakpoints; at most {MAX_BREAKPOINTS} "
                             "are supported", code="limit-exceeded",
                             path=f"network.activation[{j}]")


def check_stored_activations(n: int, units: int, what: str = "hidden units") -> None:
    """Refuse to store ``n x units`` exact pre-activations beyond ``MAX_ACTIVATIONS``."""
    from .display import show
    stored = n * units
    if stored > MAX_ACTIVATIONS:
        raise InputError(f"{show(n)} samples x {show(units)} {what} = {show(stored)} "
                         f"pre-activations; at most {MAX_ACTIVATIONS} are supported",
                         code="limit-exceeded", path="data")


_LOG10_2 = 0.30102999566398120   # digits per bit (the bounds keep a digit spare)


def number_digits(q, limit: int = 10_000) -> int:
    """Digits of a rational's numerator and denominator together (SCHEMA.md's limit per
    number): exact near ``limit``, else a bound on the same side of it (a lower bound above
    it) from the bit lengths, so no decimal text is built for thousand-digit numbers."""
    from .exact import canonical
    parts = (abs(q.numerator), q.denominator)
    lo = sum(int((max(p.bit_length(), 1) - 1) * _LOG10_2) for p in parts)   # a digit spare
    hi = sum(int(p.bit_length() * _LOG10_2) + 2 for p in parts)
    if hi < limit:
        return hi
    if lo > limit:
        return lo
    return len(canonical(q).lstrip("-").replace("/", ""))


def check_digits(numbers, what: str, limit: int = 10_000) -> None:
    """Refuse (ProofError ``number-too-large``) when a number a certificate must quote has more
    digits than SCHEMA.md allows: the checker would reject the certificate anyway."""
    from .errors import ProofError
    for q in numbers:
        digits = number_digits(q, limit)
        if digits > limit:
            raise ProofError(f"{what} needs about {digits} digits, more than the {limit} per "
                             "number that certificates allow (SCHEMA.md); use inputs with "
                             "fewer digits", code="number-too-large")


def parse_seconds(text: str) -> float:
    """The argument of ``--time-limit``: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIME_LIMIT):
        import argparse
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


class _Clock:
    armed = False
    watchdog: threading.Timer | None = None


_CLOCK = _Clock()


def stop_clock() -> None:
    """Disarm the running time limit (before writing outputs: they are never cut short)."""
    _CLOCK.armed = False
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)
    if _CLOCK.watchdog is not None:
        _CLOCK.watchdog.cancel()
        _CLOCK.watchdog = None


def _message(seconds: float) -> str:
    return f"time limit of {seconds:g} s exceeded"


@contextmanager
def time_limit(seconds: float | None, *, hard_exit: bool = False, exit_code: int = 4):
    """Raise ``TimeLimitError`` if the block runs longer than ``seconds`` (None: no limit).

    ``hard_exit`` (the command-line process only, never in-process callers such as tests):
    also start a watchdog that prints the one-line error and ends the process if the main
    thread is stuck in C code ``WATCHDOG_GRACE`` seconds after the limit."""
    if seconds is None:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        raise InputError("--time-limit needs POSIX signals and the main thread",
                         code="time-limit-unavailable")

    def expire(signum, frame):
        # Python swallows exceptions raised inside gc callbacks and __del__ methods: do not
        # raise there. The timer repeats every RETRY s until the guard exits, so the next
        # signal lands in ordinary code.
        if _CLOCK.armed and not _inside_a_swallowing_frame(frame):
            raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        try:
            _CLOCK.armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds, RETRY)
            if hard_exit:
                _CLOCK.watchdog = threading.Timer(seconds + WATCHDOG_GRACE, _hard_exit,
                                                  (seconds, exit_code))
                _CLOCK.watchdog.daemon = True
                _CLOCK.watchdog.start()
            yield
        finally:
            stop_clock()
    except _Expired:
        raise TimeLimitError(_message(seconds)) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _inside_a_swallowing_frame(frame) -> bool:
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes or frame.f_code.co_name in ("__del__", "_remove_dead_weakref"):
            return True
        if frame.f_code.co_filename.endswith(("weakref.py", "_weakrefset.py")):
            return True   # weakref callbacks (WeakKeyDictionary's remove): swallowed too
        frame = frame.f_back
    return False


def _hard_exit(seconds: float, exit_code: int) -> None:   # pragma: no cover - ends the process
    try:
        sys.stderr.write(f"certify: error: {_message(seconds)} (stopped by the watchdog)\n")
        sys.stderr.flush()
    finally:
        os._exit(exit_code)
