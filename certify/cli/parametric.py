"""``certify spurious`` for symbolic constructions (issue 12): a point file with
``parameters`` (README, "Symbolic constructions"), or ``--symbolic`` for the prover's own
Stage A/B and Yun–Sra–Jadbabaie constructions. Proved, checked, then written."""
from __future__ import annotations

import time
from pathlib import Path

from ..errors import InputError


def spurious_parametric(args, problem) -> int | None:
    """Exit code, or None when the arguments are not parametric (a numeric point file)."""
    from ..construct import parametric
    symbolic = getattr(args, "symbolic", False)
    if symbolic and (args.point or args.better):
        raise InputError("--symbolic builds its own points: it does not go with --point or "
                         "--better")
    if symbolic:
        started = time.perf_counter()
        document = parametric.prove_symbolic(problem, args.construction)
        name = Path(args.problem).name
    else:
        spec = _read_json(args.point)
        if not parametric.is_parametric_point_file(spec):
            return None
        if args.better:
            raise InputError("a parametric point file carries its own better_point: --better "
                             "does not go with it")
        if args.construction != "stage-ab":
            raise InputError("--construction does not go with --point")
        where = Path(args.point).name
        parsed = parametric.read_parametric_point_file(spec, where)
        started = time.perf_counter()
        document = parametric.prove_parametric(
            problem, parsed["domain"], parsed["point"], parsed["better_point"],
            parsed["activations"], gap_at_least=parsed["gap_at_least"],
            provenance={"construction": f"given parametric point ({where})"})
        name = where
    return _finish(args, problem, document, name, time.perf_counter() - started)


def _read_json(name: str):
    from .cells import read_point_json
    return read_point_json(name)


def _finish(args, problem, document: dict, name: str, proved: float) -> int:
    from ..certificate import checked, digest
    from ..display import show
    from .commands import EXIT_OK, _deliver
    text, verdict, seconds = checked(document)
    report = args.report
    report.timings.update(prove=proved, check=seconds)
    claim, witness, prov = document["claim"], document["witness"], document["provenance"]
    params = claim["parameters"]
    lines = [f"{name}: {problem.network.describe()}; {problem.data.n} samples, loss "
             f"{problem.loss}",
             f"  for every {params[0] if len(params) == 1 else '(' + ', '.join(params) + ')'} "
             f"with {_domain(claim)}:"]
    lines += [f"  {key}: {text}" for key, text in prov.get("parameters", {}).items()]
    lines += [
             f"  local minimum: risk {show(claim['risk'])} (every hidden unit in one open piece "
             "on all samples; outputs ≡ the affine optimum)",
             f"  lower point:   risk {_rf(claim['better_risk'], claim['parameters'])}, gap "
             f"{_rf(claim['gap'], claim['parameters'])} > 0 on the whole domain",
             f"  {prov.get('obligations', '?')} positivity obligations on the domain "
             f"({len(witness['positivity'])} exact Bernstein certificates, the others constant); "
             f"sample point ({', '.join(witness['sample_point'])})",
             f"  checked: accepted by certify.check ({', '.join(verdict.trust_base)}); proved in "
             f"{proved:.3f} s, checked in {seconds:.3f} s",
             f"  {digest(document)}"]
    _deliver(report, document, verdict, text, args.output, lines, args.output is None)
    return EXIT_OK


def _domain(claim: dict) -> str:
    parts = []
    for name, iv in zip(claim["parameters"], claim["domain"]["box"]):
        low, high = iv["ends"].split("-")
        parts.append(f"{name} ∈ {'(' if low == 'open' else '['}{iv['lo']}, {iv['hi']}"
                     f"{')' if high == 'open' else ']'}")
    if claim["domain"].get("constraints"):
        parts.append(f"{len(claim['domain']['constraints'])} polynomial constraint(s) ≥ 0")
    return ", ".join(parts)


def _rf(value, names) -> str:
    """A claim's rational function in a short human form (exact values are in the file)."""
    from ..display import show
    if isinstance(value, str):
        return show(value)
    import sympy
    from ..expressions import Polynomial, polynomial_to_sympy
    symbols = sympy.symbols(" ".join(names), seq=True)
    parts = [polynomial_to_sympy(Polynomial(len(names), {tuple(e): _q(c) for c, e in value[k]}),
                                 symbols) for k in ("num", "den")]
    text = str(parts[0] / parts[1])
    return text if len(text) <= 80 else text[:77] + "..."


def _q(text: str):
    from fractions import Fraction
    return Fraction(text)
