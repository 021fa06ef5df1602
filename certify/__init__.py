"""certify: exact, independently checkable certificates about loss surfaces of
piecewise-linear neural networks."""
from __future__ import annotations

__version__ = "0.1.0"

from .activation import Activation  # noqa: E402
from .data import Dataset  # noqa: E402
from .network import Network, Point, forward  # noqa: E402
from .problem import Problem  # noqa: E402
from .prove import prove_spurious_minimum, check_assumptions  # noqa: E402
from .check import check_certificate, Verdict  # noqa: E402
from .cells import (cell_of, minimise_in_cell, prove_cell, prove_cell_convexity,  # noqa: E402
                    prove_cell_critical_point, prove_cell_global_minimum,
                    prove_equivalent_points, prove_nondifferentiable_boundary,
                    prove_valley_path)
from .prove import prove_local_minimum_family  # noqa: E402
from .audit import audit_point  # noqa: E402
from .construct.minimum import prove_local_minimum  # noqa: E402
from .construct.parametric import prove_parametric_spurious_minimum  # noqa: E402
from .construct.nonsmooth import prove_nonsmooth_local_minimum  # noqa: E402
from .construct.cell_bound import prove_cell_risk_lower_bound  # noqa: E402
from .torch_import import from_torch  # noqa: E402  (torch itself imported on use)

__all__ = ["Activation", "Dataset", "Network", "Point", "Problem", "forward",
           "prove_spurious_minimum", "check_assumptions", "check_certificate", "Verdict",
           "cell_of", "minimise_in_cell", "prove_cell", "prove_cell_convexity",
           "prove_cell_critical_point", "prove_cell_global_minimum", "prove_equivalent_points",
           "prove_nondifferentiable_boundary", "prove_valley_path", "prove_local_minimum_family",
           "audit_point", "prove_local_minimum", "prove_parametric_spurious_minimum",
           "prove_nonsmooth_local_minimum", "prove_cell_risk_lower_bound", "from_torch",
           "__version__"]
