"""The ``clustering`` parameters, checked once and typed: ``ClusteringSettings.from_params``.

Every clustering node builds the settings with ``from_params``, which refuses a bad value with a
``ValueError`` naming the parameter and the fix; the code behind the nodes trusts them. Checks
that need the data (more distinct customers than ``k_range.max``) are in preflight.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LINEAR_MEMORY_METHODS = ("ward", "single")  # fastcluster.linkage_vector
MATRIX_METHODS = ("complete", "average")  # need the n^2/2 distance matrix
LINKAGE_METHODS = LINEAR_MEMORY_METHODS + MATRIX_METHODS
RULES = ("reference", "fixed")
STRUCTURE_KEYS = (
    "sample_size",
    "n_resamples",
    "subsample_share",
    "null_copies",
    "null_resamples",
    "max_k",
    "max_practical_k",
    "min_gain",
    "min_stability",
    "stability_tolerance",
)
TOP_KEYS = (
    "random_state",
    "k_range",
    "linkage_method",
    "exact_max_customers",
    "distance_matrix_max_customers",
    "micro_clusters",
    "micro_batch_size",
    "micro_n_init",
    "micro_threads",
    "micro_fit_max_customers",
    "silhouette_sample_size",
    "selection",
    "structure",
    "plots",
)
WHERE = "conf/base/parameters_clustering.yml, docs/clustering.md"


def _refuse(name: str, problem: str, fix: str) -> ValueError:
    return ValueError(f"clustering.{name} {problem}; {fix} ({WHERE}).")


def _integer(params: Mapping, name: str, minimum: int, optional: bool = False) -> int | None:
    """The value of parameter ``name`` (dotted; its last part is the key in ``params``) as an
    integer >= minimum (None allowed when optional)."""
    value = params.get(name.rsplit(".", 1)[-1])
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        allowed = f"an integer >= {minimum}" + (" or null" if optional else "")
        raise _refuse(name, f"is {value!r}", f"give {allowed}")
    return value


def _number(params: Mapping, name: str, low: float, high: float, low_open: bool = False) -> float:
    """Parameter ``name`` (as in `_integer`) as a number in [low, high], (low, high] if low_open."""
    value = params.get(name.rsplit(".", 1)[-1])
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not (low < value if low_open else low <= value) or value > high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise _refuse(name, f"is {value!r}", f"give a number in {interval}")
    return float(value)


def _section(params: Mapping, name: str, expected: tuple[str, ...]) -> Mapping:
    """A nested parameter block with exactly the expected keys (missing ones read as None)."""
    section = params.get(name)
    if not isinstance(section, Mapping):
        raise _refuse(name, f"is {section!r}", f"give a mapping with {', '.join(expected)}")
    unknown = sorted(set(section) - set(expected))
    if unknown:
        raise _refuse(
            name,
            f"has unknown key(s) {unknown}",
            f"delete them; the keys are {', '.join(expected)}",
        )
    return section


def _structure(params: Mapping) -> dict:
    """The structure check's settings and thresholds (stability.reference_scores, kselection)."""
    structure = _section(params, "structure", STRUCTURE_KEYS)
    checked = {
        "sample_size": _integer(structure, "structure.sample_size", 2),
        "n_resamples": _integer(structure, "structure.n_resamples", 1),
        "subsample_share": _number(structure, "structure.subsample_share", 0, 1, low_open=True),
        "null_copies": _integer(structure, "structure.null_copies", 1),
        "null_resamples": _integer(structure, "structure.null_resamples", 1),
        "max_k": _integer(structure, "structure.max_k", 2),
        "max_practical_k": _integer(structure, "structure.max_practical_k", 2),
        "min_gain": _number(structure, "structure.min_gain", 0, float("inf")),
        "min_stability": _number(structure, "structure.min_stability", 0, 1),
        "stability_tolerance": _number(structure, "structure.stability_tolerance", 0, 1),
    }
    if checked["sample_size"] <= checked["max_k"]:
        raise _refuse(
            "structure.sample_size",
            f"is {checked['sample_size']}, not above structure.max_k={checked['max_k']}",
            "raise it: the sample is cut into up to max_k clusters",
        )
    # As written in the file (not the float copies): the verdict reports them unchanged.
    return {key: structure[key] for key in STRUCTURE_KEYS}


@dataclass(frozen=True)
class ClusteringSettings:
    """The validated ``clustering`` parameters (conf/base/parameters_clustering.yml)."""

    random_state: int
    k_min: int
    k_max: int
    linkage_method: str
    exact_max_customers: int
    distance_matrix_max_customers: int
    micro_clusters: int
    micro_batch_size: int
    micro_n_init: int
    micro_threads: int | None
    micro_fit_max_customers: int | None
    silhouette_sample_size: int
    rule: str
    fixed_k: int | None
    structure: dict  # the keys STRUCTURE_KEYS; reported as they are in the decision's verdict
    dendrogram_levels: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "ClusteringSettings":
        """Check ``params:clustering`` once; ValueError names the parameter and the fix."""
        unknown = sorted(set(params) - set(TOP_KEYS))
        if unknown:
            raise _refuse(
                ", ".join(unknown), "is not a clustering parameter", "delete it or fix its spelling"
            )
        k_range = _section(params, "k_range", ("min", "max"))
        k_min = _integer(k_range, "k_range.min", 2)
        k_max = _integer(k_range, "k_range.max", 2)
        if k_min > k_max:
            raise _refuse("k_range", f"has min={k_min} > max={k_max}", "need 2 <= min <= max")
        method = params.get("linkage_method")
        if method not in LINKAGE_METHODS:
            raise _refuse(
                "linkage_method", f"is {method!r}", f"use one of {', '.join(LINKAGE_METHODS)}"
            )
        # Keys of the removed rules (combined, silhouette, elbow) are refused here, by name.
        selection = _section(params, "selection", ("rule", "fixed_k"))
        rule = selection.get("rule")
        if rule not in RULES:
            raise _refuse("selection.rule", f"is {rule!r}", f"use one of {', '.join(RULES)}")
        fixed_k = None
        if rule == "fixed":
            fixed_k = selection.get("fixed_k")
            if not isinstance(fixed_k, int) or isinstance(fixed_k, bool):
                raise _refuse("selection.fixed_k", f"is {fixed_k!r}", "give an integer")
            if not k_min <= fixed_k <= k_max:
                raise _refuse(
                    "selection.fixed_k",
                    f"is {fixed_k}, outside k_range {k_min}..{k_max}",
                    "change fixed_k or k_range",
                )
        silhouette_sample_size = _integer(params, "silhouette_sample_size", 2)
        if silhouette_sample_size <= k_max:
            raise _refuse(
                "silhouette_sample_size",
                f"is {silhouette_sample_size}, not above k_range.max={k_max}",
                "the silhouette needs more sampled customers than clusters: raise it",
            )
        plots = _section(params, "plots", ("dendrogram_levels",))
        return cls(
            random_state=_integer(params, "random_state", 0),
            k_min=k_min,
            k_max=k_max,
            linkage_method=method,
            exact_max_customers=_integer(params, "exact_max_customers", 2),
            distance_matrix_max_customers=_integer(params, "distance_matrix_max_customers", 2),
            micro_clusters=_integer(params, "micro_clusters", 2),
            micro_batch_size=_integer(params, "micro_batch_size", 1),
            micro_n_init=_integer(params, "micro_n_init", 1),
            micro_threads=_integer(params, "micro_threads", 1, optional=True),
            micro_fit_max_customers=_integer(params, "micro_fit_max_customers", 2, optional=True),
            silhouette_sample_size=silhouette_sample_size,
            rule=rule,
            fixed_k=fixed_k,
            structure=_structure(params),
            dendrogram_levels=_integer(plots, "plots.dendrogram_levels", 1),
        )

    @property
    def ks(self) -> list[int]:
        """The k scored: k_range.min..k_range.max."""
        return list(range(self.k_min, self.k_max + 1))

    @property
    def reference_max_k(self) -> int:
        """The largest k of the structure check: its fixed range, or k_range.max if larger."""
        return max(self.structure["max_k"], self.k_max)
