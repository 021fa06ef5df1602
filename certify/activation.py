"""Continuous piecewise-linear activations.

| symbol | meaning | here |
| --- | --- | --- |
| ``p_1 < … < p_K`` | breakpoints | ``breakpoints`` |
| ``s_q``, ``t_q`` | slope and intercept on piece ``q``: ``σ(z) = s_q z + t_q`` | ``slopes``, ``intercepts`` |
| piece ``q`` | the open interval ``(p_q, p_{q+1})``, ``p_0 = −∞``, ``p_{K+1} = +∞`` | ``0..K`` |

ReLU, leaky ReLU, abs and hard-tanh are constructors of the one ``Activation`` type.
Continuity holds by construction from ``(breakpoints, slopes, intercept)``; the per-piece
form ``intercepts`` is checked (``s_{q−1} p_q + t_{q−1} = s_q p_q + t_q``; SCHEMA.md 1.0,
"Problem").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Sequence

from .errors import InputError
from .exact import canonical, rational


@dataclass(frozen=True)
class Activation:
    """A continuous piecewise-linear activation ``σ`` with exact rational numbers.

    Fields: ``breakpoints`` ``p_1 < … < p_K`` (Fractions, strictly increasing), ``slopes``
    ``s_0 … s_K`` (one more than breakpoints), ``intercept`` ``t_0`` of the leftmost piece,
    and a display ``name``. Piece ``q`` is the open interval ``(p_q, p_{q+1})`` where
    ``σ(z) = s_q z + t_q``; continuity fixes the other intercepts (``intercepts``).

    Build one with ``Activation.relu()``, ``leaky_relu(slope="1/100")``, ``absolute()``,
    ``hard_tanh()``, ``from_pieces(breakpoints, slopes, intercept=0)`` (ints, Fractions or
    ``"p/q"`` text) or ``from_json(spec)`` (the problem-file syntax: ``"relu"``,
    ``{"name": "leaky_relu", "slope": "1/100"}``, ``{"breakpoints", "slopes", "intercept"}``).
    Calling it evaluates ``σ`` exactly; ``piece_of(z)`` gives the piece of ``z`` (``None`` on a
    breakpoint).

    Raises ``InputError`` for a wrong number of slopes, breakpoints out of order, a float or
    other non-Fraction field, or (``from_json``) a malformed or discontinuous specification.

    >>> from fractions import Fraction
    >>> act = Activation.leaky_relu("1/10")
    >>> act(Fraction(-2)), act(Fraction(3)), act.piece_of(Fraction(-2))
    (Fraction(-1, 5), Fraction(3, 1), 0)
    """
    breakpoints: tuple[Fraction, ...]
    slopes: tuple[Fraction, ...]
    intercept: Fraction  # of the leftmost piece
    name: str = "pl"

    def __post_init__(self):
        if len(self.slopes) != len(self.breakpoints) + 1:
            raise InputError(f"an activation with {len(self.breakpoints)} breakpoints needs "
                             f"{len(self.breakpoints) + 1} slopes", value=len(self.slopes))
        for v in (*self.breakpoints, *self.slopes, self.intercept):
            if not isinstance(v, Fraction):
                raise InputError("activation numbers must be Fractions", value=v)
        for left, right in zip(self.breakpoints, self.breakpoints[1:]):
            if not left < right:
                raise InputError("breakpoints must be strictly increasing",
                                 value=f"{canonical(left)} then {canonical(right)}")

    # -- constructors --------------------------------------------------------------

    @classmethod
    def from_pieces(cls, breakpoints: Sequence, slopes: Sequence, intercept=0,
                    name: str = "pl") -> "Activation":
        return cls(tuple(rational(p, "breakpoints") for p in breakpoints),
                   tuple(rational(s, "slopes") for s in slopes),
                   rational(intercept, "intercept"), name)

    @classmethod
    def relu(cls) -> "Activation":
        return cls.from_pieces([0], [0, 1], 0, "relu")

    @classmethod
    def leaky_relu(cls, slope="1/100") -> "Activation":
        """``σ(z) = z`` for ``z ≥ 0`` and ``slope·z`` below."""
        return cls.from_pieces([0], [rational(slope, "slope"), 1], 0, "leaky_relu")

    @classmethod
    def absolute(cls) -> "Activation":
        return cls.from_pieces([0], [-1, 1], 0, "abs")

    @classmethod
    def hard_tanh(cls) -> "Activation":
        return cls.from_pieces([-1, 1], [0, 1, 0], -1, "hard_tanh")

    @classmethod
    def from_json(cls, spec: object, where: str = "activation") -> "Activation":
        """A name (``"relu"``, ``"abs"``, ``"hard_tanh"``, ``"leaky_relu"``), or an object:
        ``{"name": "leaky_relu", "slope": s}`` or
        ``{"breakpoints": [...], "slopes": [...], "intercept": t}`` (or ``"intercepts"``,
        one per piece, which must join up continuously)."""
        named = {"relu": cls.relu, "abs": cls.absolute, "hard_tanh": cls.hard_tanh,
                 "leaky_relu": cls.leaky_relu}
        if isinstance(spec, str):
            if spec not in named:
                raise InputError(f"unknown activation (known: {', '.join(sorted(named))}, "
                                 "or a breakpoints/slopes object)", path=where, value=spec)
            return named[spec]()
        if not isinstance(spec, dict):
            raise InputError("an activation is a name or an object", path=where, value=spec)
        try:
            if "name" in spec:
                _only_keys(spec, {"name", "slope"}, where)
                name = spec["name"]
                if name == "leaky_relu":
                    return cls.leaky_relu(spec.get("slope", "1/100"))
                if isinstance(name, str) and name in named and "slope" not in spec:
                    return named[name]()
                raise InputError("unknown activation", path=where, value=name)
            _only_keys(spec, {"breakpoints", "slopes", "intercept", "intercepts"}, where)
            breakpoints = _list(spec, "breakpoints", where)
            slopes = _list(spec, "slopes", where)
            if "intercepts" in spec and "intercept" in spec:
                raise InputError("give either 'intercept' or 'intercepts', not both", path=where)
            if "intercepts" in spec:
                return cls._from_all_intercepts(breakpoints, slopes,
                                                _list(spec, "intercepts", where), where)
            return cls.from_pieces(breakpoints, slopes, spec.get("intercept", 0))
        except InputError as err:
            if err.path is None or not err.path.startswith(where):
                err.path = f"{where}.{err.path}" if err.path else where
            raise

    @classmethod
    def _from_all_intercepts(cls, breakpoints, slopes, intercepts, where) -> "Activation":
        act = cls.from_pieces(breakpoints, slopes, intercepts[0] if intercepts else 0)
        given = [rational(t, "intercepts") for t in intercepts]
        if len(given) != len(act.slopes):
            raise InputError("'intercepts' needs one entry per piece", path=where,
                             value=len(given))
        for q, p in enumerate(act.breakpoints, start=1):
            left = act.slopes[q - 1] * p + given[q - 1]
            right = act.slopes[q] * p + given[q]
            if left != right:
                raise InputError(f"activation is discontinuous at breakpoint {canonical(p)}: "
                                 f"left value {canonical(left)}, right value {canonical(right)}",
                                 code="discontinuous-activation", path=where)
        return act

    # -- evaluation ------------------------------------------------------------------

    @cached_property
    def intercepts(self) -> tuple[Fraction, ...]:
        ts = [self.intercept]
        for q, p in enumerate(self.breakpoints, start=1):
            ts.append(ts[-1] + (self.slopes[q - 1] - self.slopes[q]) * p)
        return tuple(ts)

    def piece_of(self, z: Fraction) -> int | None:
        """Index of the open piece containing ``z``; ``None`` when ``z`` is a breakpoint."""
        for q, p in enumerate(self.breakpoints):
            if z < p:
                return q
            if z == p:
                return None
        return len(self.breakpoints)

    def __call__(self, z: Fraction) -> Fraction:
        q = self.piece_of(z)
        if q is None:
            q = self.breakpoints.index(z)  # continuous: either side gives the same value
        return self.slopes[q] * z + self.intercepts[q]

    def __hash__(self):  # cached_property lives in __dict__; hash the defining numbers only
        return hash((self.breakpoints, self.slopes, self.intercept))

    @property
    def is_linear(self) -> bool:
        """All slopes equal: σ is one affine map (assumption A4 fails)."""
        return len(set(self.slopes)) == 1

    def kinks(self) -> list[int]:
        """1-based indices ``q`` of breakpoints where the slope really changes."""
        return [q for q in range(1, len(self.slopes)) if self.slopes[q - 1] != self.slopes[q]]

    def window(self, q: int) -> tuple[Fraction, Fraction]:
        """A centre ``c`` and radius ``ρ`` with ``[c − ρ, c + ρ]`` strictly inside piece ``q``."""
        lo = self.breakpoints[q - 1] if q > 0 else None
        hi = self.breakpoints[q] if q < len(self.breakpoints) else None
        if lo is not None and hi is not None:
            return (lo + hi) / 2, (hi - lo) / 4
        if lo is None and hi is None:
            return Fraction(0), Fraction(1)
        return (hi - 2, Fraction(1)) if lo is None else (lo + 2, Fraction(1))

    def kink_window(self, q: int) -> Fraction:
        """A radius ``δ`` such that ``[p_q − δ, p_q + δ]`` meets only pieces ``q−1`` and ``q``."""
        p = self.breakpoints[q - 1]
        gaps = [p - self.breakpoints[q - 2]] if q >= 2 else []
        if q < len(self.breakpoints):
            gaps.append(self.breakpoints[q] - p)
        return min(gaps) / 2 if gaps else Fraction(1)

    def working_piece(self) -> int | None:
        """The piece used for Stage A: a nonzero slope, preferring unbounded then wide pieces."""
        candidates = [q for q, s in enumerate(self.slopes) if s != 0]
        if not candidates:
            return None
        return max(candidates, key=lambda q: self._width_rank(q))

    def _width_rank(self, q: int) -> tuple[int, Fraction]:
        lo = self.breakpoints[q - 1] if q > 0 else None
        hi = self.breakpoints[q] if q < len(self.breakpoints) else None
        if lo is None or hi is None:
            return (1, Fraction(0))
        return (0, hi - lo)

    def to_json(self) -> dict:
        """The certificate form: breakpoints, slopes and the leftmost intercept."""
        return {"breakpoints": [canonical(p) for p in self.breakpoints],
                "slopes": [canonical(s) for s in self.slopes],
                "intercept": canonical(self.intercept)}

    def describe(self) -> str:
        if self.name != "pl":
            return self.name
        return f"PL({len(self.breakpoints)} breakpoints)"


def _only_keys(spec: dict, allowed: set, where: str) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise InputError(f"unknown key '{extra[0]}' in activation", path=where, value=extra[0])


def _list(spec: dict, key: str, where: str) -> list:
    value = spec.get(key, [] if key == "breakpoints" else None)
    if not isinstance(value, list):
        raise InputError(f"'{key}' must be a list", path=f"{where}.{key}", value=value)
    return value
