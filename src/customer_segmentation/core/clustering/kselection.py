"""Scores of every k cut from one hierarchy, and the rule that picks k.

Selection rules (``clustering.selection.rule``):

- ``reference`` (default): judged against structureless copies of a seeded sample
  (``stability.reference_scores``, k = 2..``structure.max_k`` whatever ``k_range`` is, so the
  choice does not move with the search range). The elbow is the largest k whose extra segment
  lowers log WCSS by at least ``min_gain`` more than it does in the copies, and whose lead over
  the copies is at least that of every smaller such k (``reference_elbow``); from there, one more
  segment is added while it stays reproducible (stability >= ``min_stability`` and no more than
  ``stability_tolerance`` below the previous k). Without such an elbow the data has no natural
  number of segments and the knee of the sample's WCSS curve over the same fixed range gives a
  practical one, at most ``structure.max_practical_k`` (no knee: ``k_range.min``). The result is
  clipped into ``k_range``.
- ``fixed``: ``fixed_k`` (checked to lie in ``k_range`` by ``ClusteringSettings``).

Whatever the rule, ``structure_verdict`` says whether the data has natural segments at the chosen
k (docs/clustering.md). Silhouette, Calinski-Harabasz, Davies-Bouldin and kneed's knee of the
k range's WCSS curve are reported beside the decision (the k table, the plots, the report); they do
not choose k: without a reference they favour the coarsest split or move with ``k_range``.
"""

import numpy as np
import pandas as pd
from kneed import KneeLocator
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_samples,
    silhouette_score,
)

from customer_segmentation.core.clustering.hierarchy import Hierarchy
from customer_segmentation.core.clustering.parameters import ClusteringSettings

K_SELECTION_COLUMNS = ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin"]
KNEE_SENSITIVITY = 1.0  # kneed's S (its default)
# Above this many customers Calinski-Harabasz and Davies-Bouldin are scored on a seeded sample of
# this size: scikit-learn's versions make masked passes per cluster, and at 1M customers the nine k
# took 60-70 s on the shared 2 cores (the step's former one-pass code: 6 s).
INDEX_SAMPLE_SIZE = 100_000


def seeded_sample(n_rows: int, sample_size: int, random_state: int) -> np.ndarray:
    """Row indices on which every k is scored: all rows, or one seeded sample of them.

    One sample for all k, not ``silhouette_score(sample_size=...)`` per k: the silhouette's
    sampling sd (about 0.003 at 5,000 customers) is as large as the gap between neighbouring k.
    """
    if n_rows <= sample_size:
        return np.arange(n_rows)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=sample_size, replace=False))


def sample_distances(matrix: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Euclidean distances between the sampled rows, shape (s, s), float64 (8 s² bytes: 200 MB
    for the default 5,000): computed once and scored for every k, instead of once per k."""
    return pairwise_distances(matrix[sample])


def sample_silhouettes(distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-customer silhouettes of the sampled rows, from their precomputed distances."""
    return silhouette_samples(distances, labels, metric="precomputed")


def within_cluster_sum_of_squares(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of rows to their cluster mean, O(n d)."""
    counts = np.bincount(labels)
    sums = np.vstack([np.bincount(labels, weights=column) for column in matrix.T]).T
    residuals = matrix - (sums / counts[:, None])[labels]
    return float(np.einsum("ij,ij->", residuals, residuals))


def score_k_range(
    matrix: np.ndarray,
    hierarchy: Hierarchy,
    ks: list[int],
    sample: np.ndarray,
    index_sample: np.ndarray,
) -> pd.DataFrame:
    """One row per k: WCSS of the hierarchy's own partition, silhouette, CH and DB.

    Silhouettes are scored on the rows ``sample`` for every k (NaN if the sample holds a single
    cluster); Calinski-Harabasz and Davies-Bouldin on the rows ``index_sample`` (every row up to
    ``INDEX_SAMPLE_SIZE``; see `seeded_sample`).
    """
    distances, index_points = sample_distances(matrix, sample), matrix[index_sample]
    rows = []
    for k in ks:
        labels = hierarchy.labels(k)
        wcss = (
            hierarchy.ward_wcss(k)
            if hierarchy.method == "ward"
            else within_cluster_sum_of_squares(matrix, labels)
        )
        sampled = labels[sample]
        silhouette = float("nan")
        if len(np.unique(sampled)) > 1:
            silhouette = float(silhouette_score(distances, sampled, metric="precomputed"))
        rows.append(
            {
                "k": k,
                "wcss": wcss,
                "silhouette": silhouette,
                "calinski_harabasz": float(
                    calinski_harabasz_score(index_points, labels[index_sample])
                ),
                "davies_bouldin": float(davies_bouldin_score(index_points, labels[index_sample])),
            }
        )
    return pd.DataFrame(rows, columns=K_SELECTION_COLUMNS).astype({"k": "int64"})


def find_knee(ks: np.ndarray, wcss: np.ndarray, sensitivity: float) -> int | None:
    """Knee of the decreasing, convex WCSS curve by kneed; None when there is none."""
    if len(ks) < 3:
        return None
    locator = KneeLocator(
        ks, wcss, S=sensitivity, curve="convex", direction="decreasing", online=False
    )
    return None if locator.knee is None else int(locator.knee)


def reference_elbow(reference: pd.DataFrame, structure: dict) -> tuple[int | None, int | None]:
    """(elbow, k): the largest k <= max_k whose ``gain`` reaches ``min_gain`` and that keeps the
    lead won before it, then extended by one segment at a time while the next cut stays
    reproducible; (None, None) without elbow.

    The lead at k is how much lower the data's log WCSS is than the copies' (the gap statistic,
    ``null_log_wcss - log_wcss``). After a strong split, further segments that only cut real groups
    in pieces lose that lead (negative gains); a small material gain further on (k = 8 after a
    clear 3) must not win unless it has won the lead back: a material k counts only when its
    lead is at least that of every smaller material k.
    """
    scores = reference.set_index("k")
    scanned = scores.loc[scores.index <= structure["max_k"]]
    material = scanned.index[scanned["gain"] >= structure["min_gain"]]
    if len(material) == 0:
        return None, None
    lead = scanned["null_log_wcss"] - scanned["log_wcss"]
    elbow, best = int(material[0]), lead[material[0]]
    for k in material[1:]:
        if lead[k] >= best:
            elbow, best = int(k), lead[k]
    chosen = elbow
    stability = scanned["stability_mean"]
    while chosen + 1 in stability.index and stability[chosen + 1] >= max(
        structure["min_stability"], stability[chosen] - structure["stability_tolerance"]
    ):
        chosen += 1
    return elbow, chosen


def structure_verdict(reference: pd.DataFrame, chosen_k: int, elbow: int | None, structure: dict):
    """``natural_segments`` and the figures behind it, at the chosen k.

    Natural segments: an elbow exists (some number of segments separates customers clearly
    better than the same number does in structureless copies, ``reference_elbow``) and the cut at
    the chosen k is reproducible (mean stability >= ``min_stability``). Otherwise the segments are
    a practical slicing of a continuum. The copies' stability is reported but does not vote:
    shuffling principal components keeps groups that show in single components (very well
    separated groups), whose copies are then as stable as the data.
    """
    row = reference.set_index("k").loc[chosen_k]
    mean, null_mean = float(row["stability_mean"]), float(row["null_stability_mean"])
    natural = bool(elbow is not None and mean >= structure["min_stability"])
    stability = f"stability {mean:.2f} ± {float(row['stability_sd']):.2f} on a 0-1 scale"
    if natural:
        statement = (
            f"The customers fall into {chosen_k} distinct groups: they separate customers far "
            "better than the same number of groups would in data without real groups, and the "
            f"same groups come back when the analysis is repeated on other samples ({stability})."
        )
    else:
        statement = (
            f"The data has no natural segments: these {chosen_k} segments are a practical way "
            "of slicing a continuum of customers, so treat their boundaries as approximate "
            f"({stability}; data without real groups: {null_mean:.2f})."
        )
    return {
        "natural_segments": natural,
        "statement": statement,
        "stability_mean": round(mean, 4),
        "stability_sd": round(float(row["stability_sd"]), 4),
        "null_stability_mean": round(null_mean, 4),
        "null_stability_sd": round(float(row["null_stability_sd"]), 4),
        "thresholds": dict(structure),
    }


def _by_reference(
    table: pd.DataFrame, reference: pd.DataFrame, structure: dict
) -> tuple[int, int | None, str, str]:
    """The ``reference`` rule: (k, elbow, technical reasoning, plain explanation)."""
    elbow, chosen = reference_elbow(reference, structure)
    scores = reference.set_index("k")
    gains = scores["gain"]
    fixed_range = (
        f"k = 2..{structure['max_k']} on up to {structure['sample_size']} sampled customers"
    )
    if elbow is not None:
        why = (
            f"against structureless copies ({fixed_range}), the largest k whose extra segment "
            f"lowers log WCSS by at least min_gain={structure['min_gain']} more than in the copies "
            f"is {elbow} (gain {gains[elbow]:.3f})"
        )
        if chosen > elbow:
            why += (
                f"; k up to {chosen} keeps stability >= {structure['min_stability']} and within "
                f"{structure['stability_tolerance']} of the previous k, so k={chosen}"
            )
        plain = (
            f"We use {chosen} segments: up to {elbow} segments, each extra segment separates "
            "customers far better than it would in data without real groups"
        )
        stability = float(scores.loc[chosen, "stability_mean"])
        if stability < structure["min_stability"]:
            plain += (
                f", but the split into {chosen} does not come back reliably on other samples "
                f"(stability {stability:.2f}, below {structure['min_stability']}), so {chosen} is "
                "a practical number rather than a natural one."
            )
        else:
            plain += (
                f", and the split into {chosen} comes back just as reliably on other samples. "
                if chosen > elbow
                else ". "
            )
            plain += "More segments would only cut existing groups into smaller pieces."
    else:
        sample_wcss = np.exp(reference["log_wcss"].to_numpy())
        in_range = reference["k"] <= structure["max_k"]
        knee = find_knee(
            reference.loc[in_range, "k"].to_numpy(), sample_wcss[in_range], KNEE_SENSITIVITY
        )
        # A continuum cut in many slices gives neighbours that differ too little to act on, and a
        # cap independent of k_range keeps k from moving with the configured range.
        cap = structure["max_practical_k"]
        chosen = min(knee, cap) if knee is not None else int(table["k"].min())
        best_gain = float(gains[gains.index <= structure["max_k"]].max())
        why = (
            f"against structureless copies ({fixed_range}) no extra segment lowers log WCSS by "
            f"min_gain={structure['min_gain']} more than in the copies (best {best_gain:.3f}): "
            + (
                f"no natural number of segments; the knee of the sample's WCSS curve over the "
                f"same fixed range is k={knee}"
                + (f", capped at max_practical_k={cap}" if knee > cap else "")
                if knee is not None
                else "no natural number of segments and no knee; the smallest k of the range"
            )
        )
        plain = (
            "No number of segments stands out in these customers, so the number is a practical "
            f"choice: {chosen} segments capture the main differences, and each further segment "
            "would add little."
        )
    k_min, k_max = int(table["k"].min()), int(table["k"].max())
    clipped = min(max(chosen, k_min), k_max)
    if clipped != chosen:
        why += f"; k={chosen} lies outside k_range {k_min}..{k_max}, so k={clipped}"
        plain += f" (The configured range {k_min}..{k_max} forces {clipped}.)"
    return clipped, elbow, why, plain


def select_k(table: pd.DataFrame, reference: pd.DataFrame, settings: ClusteringSettings) -> dict:
    """Apply the selection rule to the k_selection table; return the decision and its reasons.

    ``reference``: ``stability.reference_scores`` (the ``reference`` rule's evidence and, for
    either rule, the ``structure`` verdict at the chosen k).
    """
    structure = settings.structure
    knee = find_knee(table["k"].to_numpy(), table["wcss"].to_numpy(), KNEE_SENSITIVITY)
    if settings.rule == "reference":
        chosen, elbow, why, explanation = _by_reference(table, reference, structure)
    else:
        chosen, elbow = settings.fixed_k, reference_elbow(reference, structure)[0]
        why = f"k fixed by parameter at {chosen}"
        explanation = f"The number of segments was set by the 'fixed' rule: {why}."
    silhouettes = dict(zip(table["k"], table["silhouette"], strict=True))
    best_k = int(table.loc[table["silhouette"].idxmax(), "k"])
    knee_text = (
        f"knee of the WCSS curve (kneed, convex/decreasing, S={KNEE_SENSITIVITY}) at k={knee}"
        if knee is not None
        else "kneed found no knee in the WCSS curve"
    )
    return {
        "rule": settings.rule,
        "chosen_k": int(chosen),
        "knee_k": knee,  # shown on the elbow plot
        "best_silhouette_k": best_k,
        "silhouette_at_chosen_k": float(silhouettes[chosen]),
        "best_silhouette": float(silhouettes[best_k]),
        "reasoning": f"Rule '{settings.rule}': {why}. Chosen k={chosen}. "
        f"(On this k range, the {knee_text}.)",
        "elbow_k": elbow,
        "structure": structure_verdict(reference, chosen, elbow, structure),
        # Why this k; how firm the segments are is structure["statement"], shown beside it.
        "explanation": explanation,
        "reference_scores": reference.round(4).to_dict(orient="records"),
    }
