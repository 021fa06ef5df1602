"""Issue 14, property test: random boundary points of small networks (one or two hidden layers,
ReLU, leaky ReLU, hard-tanh, abs), some with targets planted to make every adjacent region
stationary, some with random targets.

For every point: the checker's decision on a ``local-minimum`` claim (chains of boundary
locations, kinds/minimum.py) equals the independent oracle's brute force over all ``2^m`` side
choices (tests/minimum_oracle.py); every minimum the prover certifies is accepted, and the
oracle's exact points in every adjacent region near it find no lower risk (regions that are
empty near the point - e.g. sign patterns no direction gives a unit with several locations -
cannot be sampled; the counts are reported, and tests/test_minimum.py demands full coverage
where every location has its own unit); every descent
certificate is accepted; "undecided" only where some region's gradient is nonzero.
"""
from __future__ import annotations

import copy
import random
from fractions import Fraction as F

import pytest

from certify.activation import Activation
from certify.cells import cell_of
from certify.check import check_certificate
from certify.construct.minimum import analyse_point, stationary_targets
from certify.data import Dataset
from certify.errors import ProofError
from certify.network import Layer, Network, Point
from certify.problem import Problem

import minimum_oracle
import report
from test_minimum import claim_doc

ACTIVATIONS = {"relu": Activation.relu(), "leaky": Activation.leaky_relu("1/4"),
               "hard_tanh": Activation.hard_tanh(), "abs": Activation.absolute()}


def random_boundary_point(seed: int):
    rng = random.Random(seed)
    depth = rng.choice((2, 2, 3))   # weight layers: one or two hidden layers
    d0 = rng.choice((1, 2))
    widths = [d0] + [rng.randint(1, 3) for _ in range(depth - 1)] + [1]
    act = ACTIVATIONS[rng.choice(sorted(ACTIVATIONS))]
    n = rng.randint(4, 6)
    xs = set()
    while len(xs) < n:
        xs.add(tuple(F(rng.randint(-4, 4)) for _ in range(d0)))
    xs = sorted(xs)
    network = Network(tuple(widths), (act,) * (depth - 1))
    layers = [[[[F(rng.randint(-2, 2)) for _ in range(widths[j])] for _ in range(widths[j + 1])],
               [F(rng.randint(-2, 2)) for _ in range(widths[j + 1])]] for j in range(depth)]
    # put 1-3 (unit, sample) pairs exactly on a breakpoint, layer by layer
    for _ in range(rng.randint(1, 3)):
        j = rng.randrange(depth - 1)
        k, i = rng.randrange(widths[j + 1]), rng.randrange(n)
        point = Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
        pre = cell_of(Problem(network, Dataset(tuple(xs), tuple((F(0),) for _ in xs))),
                      point).pre_activations
        z = pre[j][k][i]
        p = rng.choice(act.breakpoints)
        layers[j][1][k] += p - z
    point = Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
    draft = Problem(network, Dataset(tuple(xs), tuple((F(0),) for _ in xs)))
    report_ = cell_of(draft, point)
    if rng.random() < 0.6:
        targets = stationary_targets(draft, point, {e.sample for e in report_.boundary}, seed,
                                     scale=3)
    else:
        targets = [(F(rng.randint(-3, 3)),) for _ in xs]
    return Problem(network, Dataset(tuple(xs), tuple(tuple(t) for t in targets))), point


SEEDS = range(60)
COUNTS: dict = {}


@pytest.mark.parametrize("seed", SEEDS)
def test_random_boundary_points(seed):
    problem, point = random_boundary_point(seed)
    boundary = cell_of(problem, point).boundary
    if not boundary or len(boundary) > 8:
        COUNTS["skipped"] = COUNTS.get("skipped", 0) + 1
        pytest.skip("no location on a breakpoint, or too many for the brute force")
    # the checker's chains against the oracle's 2^m side choices, on the bare claim
    doc = claim_doc(problem, point)
    v = check_certificate(__import__("json").dumps(doc))
    parts = minimum_oracle.Parts(doc)
    brute = minimum_oracle.gradient_zero_everywhere(parts, parts.point(doc["witness"]["point"]),
                                                    doc["claim"]["boundary"])
    assert v.accepted == brute, (v.line("claim"), brute)
    assert v.accepted == (not minimum_oracle.violations(doc))
    try:
        proof = analyse_point(problem, point, find_lower=False, stage_a=False, max_pairs=8)
    except ProofError as err:
        assert err.code == "undecided" and not brute, err
        COUNTS["undecided"] = COUNTS.get("undecided", 0) + 1
        return
    cert = proof.certificate
    assert check_certificate(__import__("json").dumps(cert)).accepted
    if proof.kind == "descent-direction":
        COUNTS["descent"] = COUNTS.get("descent", 0) + 1
        return
    assert proof.kind == "local-minimum" and brute
    lower, covered, total = minimum_oracle.sample_regions(cert, tries=12, seed=seed)
    assert not lower, f"a sampled point in an adjacent region is lower: {lower}"
    assert covered >= 1
    COUNTS["minimum"] = COUNTS.get("minimum", 0) + 1
    COUNTS["regions"] = COUNTS.get("regions", 0) + total
    COUNTS["covered"] = COUNTS.get("covered", 0) + covered


def test_counts_reported():
    if not COUNTS:
        pytest.skip("run with the property cases")
    report.record("14 local minima", f"random boundary points: {COUNTS}")
    assert COUNTS.get("minimum", 0) >= 5 and COUNTS.get("descent", 0) + \
        COUNTS.get("undecided", 0) >= 5


def test_tampered_certified_minimum_is_refused_by_both():
    """A rejecting twin per run: the first certified minimum with its risk moved."""
    for seed in SEEDS:
        problem, point = random_boundary_point(seed)
        try:
            proof = analyse_point(problem, point, find_lower=False, stage_a=False)
        except ProofError:
            continue
        if proof.kind != "local-minimum":
            continue
        bad = copy.deepcopy(proof.certificate)
        bad["claim"]["risk"] = str(F(bad["claim"]["risk"]) + F(1, 10 ** 9))
        v = check_certificate(__import__("json").dumps(bad))
        assert not v.accepted and v.code == "risk-mismatch"
        assert minimum_oracle.violations(bad)
        return
    pytest.fail("no certified minimum among the seeds")
