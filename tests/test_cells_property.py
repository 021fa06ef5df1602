"""Property tests of the cell kinds on random small instances (hypothesis).

Each property checks a prover certificate with both backends (identical verdicts) and
compares its numbers with an independent computation: the pattern with ``Activation.piece_of``
on a plain Fraction forward pass written here, the Gram rank with FLINT's rank of ``Φ``, the
kink with the one-hidden-layer formula, the identity ``ŷ_i = Φ_i·T(θ)`` with the forward pass.
"""
from __future__ import annotations

from fractions import Fraction

import flint
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from certify import cells
from certify.activation import Activation
from certify.check import check_certificate
from certify.construct.cell_conditions import planted_cell_minimum
from certify.data import Dataset
from certify.errors import ProofError
from certify.network import Layer, Network, Point
from certify.problem import Problem
from certify.reparam import enumerate_paths, features, fitted_outputs, reparameterise

from strategies import activations, rationals

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def both(doc):
    a, b = (check_certificate(doc, backend=be) for be in ("fraction", "flint"))
    assert (a.accepted, a.code, a.path, a.facts) == (b.accepted, b.code, b.path, b.facts)
    assert a.accepted, a.line("cert")
    return a


@st.composite
def problems_and_points(draw, max_depth: int = 2):
    """A small network (1–2 hidden layers, 1–2 outputs), data and a random point."""
    d0, d_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    hidden = draw(st.lists(st.integers(1, 3), min_size=1, max_size=max_depth))
    widths = (d0, *hidden, d_out)
    acts = tuple(draw(activations()) for _ in hidden)
    n = draw(st.integers(2, 6))
    xs = draw(st.lists(st.tuples(*[rationals(4)] * d0), min_size=n, max_size=n, unique=True))
    ys = draw(st.lists(st.tuples(*[rationals(4)] * d_out), min_size=n, max_size=n))
    problem = Problem(Network(widths, acts), Dataset(tuple(xs), tuple(ys)))
    layers = []
    for j in range(1, len(widths)):
        W = tuple(tuple(draw(rationals(3)) for _ in range(widths[j - 1])) for _ in range(widths[j]))
        b = tuple(draw(rationals(3)) for _ in range(widths[j]))
        layers.append(Layer(W, b))
    return problem, Point(tuple(layers))


def plain_pattern(problem: Problem, point: Point) -> list:
    """Pieces by a plain per-sample Fraction forward pass (shares nothing with forward)."""
    out = []
    for x in problem.data.inputs:
        a, column = list(x), []
        for j, layer in enumerate(point.layers[:-1]):
            act = problem.network.activations[j]
            z = [sum((w * v for w, v in zip(row, a)), c) for row, c in zip(layer.W, layer.b)]
            column.append([act.piece_of(v) for v in z])
            a = [act(v) for v in z]
        out.append(column)
    return [[[out[i][j][k] for i in range(len(out))] for k in range(len(out[0][j]))]
            for j in range(len(out[0]))]


@SETTINGS
@given(problems_and_points())
def test_cell_certificate_matches_an_independent_pattern(pp):
    problem, point = pp
    doc = cells.prove_cell(problem, point)
    v = both(doc)
    assert doc["claim"]["pattern"] == plain_pattern(problem, point)
    assert v.facts["in_cell"] == all(q is not None for layer in doc["claim"]["pattern"]
                                     for row in layer for q in row)
    if v.facts["in_cell"] and v.facts["margin"] is not None:
        assert Fraction(v.facts["margin"]) > 0


@SETTINGS
@given(problems_and_points())
def test_convexity_rank_and_identity(pp):
    problem, point = pp
    report = cells.cell_of(problem, point)
    assume(report.in_cell)
    paths = enumerate_paths(problem.network.widths)
    phi = features(problem, report.pattern, paths)
    # the identity, numerically at the point: y^_i = Phi_i . T(theta)
    T = reparameterise(point, paths)
    assert fitted_outputs(phi, paths, T, problem.network.widths[-1]) == report.outputs
    doc = cells.prove_cell_convexity(problem, point, hessian=True)
    v = both(doc)
    live = [P for P in range(len(paths)) if any(row[P] for row in phi)]
    rank = 0
    for o in range(problem.network.widths[-1]):   # outputs decouple: rank is a sum
        cols = [P for P in live if paths[P].output == o]
        if cols:
            rank += flint.fmpq_mat([[flint.fmpq(row[P].numerator, row[P].denominator)
                                     for P in cols] for row in phi]).rank()
    assert v.facts["hessian_rank"] == rank
    assert v.facts["strictly_convex"] == (rank == len(live))


@SETTINGS
@given(st.integers(2, 5), st.integers(1, 2), st.integers(1, 3), st.integers(1, 2),
       activations(), st.integers(0, 10 ** 6))
def test_planted_minima_are_certified(pairs, d0, hidden, outputs, act, seed):
    try:
        problem, point = planted_cell_minimum(pairs, d0, hidden, outputs, act, seed)
    except IndexError:   # pragma: no cover - no draw avoided the breakpoints
        assume(False)
    v = both(cells.prove_cell_global_minimum(problem, point))
    assert v.facts["cell_minimum"] is True
    assert v.facts["risk"] != "0"   # the pairs leave a residual: minimal, not interpolating
    crit = both(cells.prove_cell_critical_point(problem, point))
    assert crit.facts["statement"] == "cell-global" and crit.facts["local_minimum"] is True


@SETTINGS
@given(problems_and_points(max_depth=1), st.data())
def test_boundary_kink_formula(pp, data):
    """One hidden layer; unit k moved onto its breakpoint at sample i; direction e_{b_k}:
    right − left = (2/n) Σ_{i' on the kink} Σ_o r_{i'o} v_ok (s_right − s_left)."""
    problem, point = pp
    act = problem.network.activations[0]
    k = data.draw(st.integers(1, problem.network.widths[1]))
    i = data.draw(st.integers(0, problem.data.n - 1))
    moved, direction = cells.boundary_point(problem, point, 1, k, i)
    doc = cells.prove_nondifferentiable_boundary(problem, moved, direction)
    v = both(doc)
    report = cells.cell_of(problem, moved)
    jump = Fraction(0)
    for e in report.boundary:
        if e.unit != k:
            continue
        ds = act.slopes[e.breakpoint] - act.slopes[e.breakpoint - 1]
        for o, (u, y) in enumerate(zip(report.outputs[e.sample], problem.data.targets[e.sample])):
            jump += 2 * (u - y) * moved.layers[1].W[o][k - 1] * ds
    jump /= problem.data.n
    assert Fraction(v.facts["right_derivative"]) - Fraction(v.facts["left_derivative"]) == jump
    assert v.facts["kink"] == (jump != 0)


HOMOGENEOUS = st.sampled_from([Activation.relu(), Activation.leaky_relu("1/3"),
                               Activation.absolute()])


@SETTINGS
@given(problems_and_points(max_depth=2), HOMOGENEOUS, st.data())
def test_positive_rescaling_is_an_equivalence(pp, act, data):
    problem, point = pp
    net = problem.network
    problem = Problem(Network(net.widths, (act,) * (len(net.widths) - 2)), problem.data)
    assume(cells.cell_of(problem, point).in_cell)
    layer = data.draw(st.integers(1, len(net.widths) - 2))
    unit = data.draw(st.integers(1, net.widths[layer]))
    factor = data.draw(st.sampled_from([Fraction(2), Fraction(1, 3), Fraction(7, 5)]))
    other = cells.rescale_unit(point, layer, unit, factor)
    try:
        doc = cells.prove_equivalent_points(problem, point, other)
    except ProofError as err:   # the unit computes nothing (zero weights): the points agree
        assert err.code == "points-equal"
        return
    assert both(doc).facts["equivalent"] is True
