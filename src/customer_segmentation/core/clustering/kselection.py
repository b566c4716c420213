"""Scores of every k cut from one hierarchy, the knee of the WCSS curve and the rule that picks k.

Selection rules (``clustering.selection.rule``):

- ``reference`` (default): judged against structureless copies of a seeded sample
  (``stability.reference_scores``, k = 2..``structure.max_k`` whatever ``k_range`` is, so the
  choice does not move with the search range). The elbow is the largest k whose extra segment
  lowers log WCSS by at least ``min_gain`` more than it does in the copies; from there, one more
  segment is added while it stays reproducible (stability >= ``min_stability`` and no more than
  ``stability_tolerance`` below the previous k). Without such an elbow the data has no natural
  number of segments and the knee of the sample's WCSS curve over the same fixed range gives a
  practical one, at most ``structure.max_practical_k`` (no knee: ``k_range.min``). The result is
  clipped into ``k_range``.

- ``silhouette``: the k with the highest silhouette. Sampled silhouettes carry noise (sd about
  0.002 at 10,000 customers), so every k within ``silhouette_noise`` of the best ties with it and
  the tie goes to the k nearest the knee (then the smaller k).
- ``elbow``: the knee of the k range's WCSS curve found by kneed (``KneeLocator``, convex,
  decreasing, sensitivity ``knee_sensitivity``); without a knee it falls back to ``silhouette``.
- ``combined``: the elbow sets the scale and silhouette refines and guards it. Start at
  the knee; a k within ``knee_window`` of it replaces it only if its silhouette is higher by more
  than ``silhouette_margin``; if the silhouette of the result is below ``silhouette_floor``, or
  there is no knee, the ``silhouette`` rule decides. (Silhouette alone tends to favour k=2, the
  coarsest split, which is rarely a useful segmentation.)
- ``fixed``: ``fixed_k``, which must lie in the k range.

The knee of kneed depends on the range it is given (it normalises the curve by its end points:
3, 4, 4, 4, 5 for k_range.max 6..10 on one table), so ``combined`` and ``elbow`` move with
``k_range``; ``reference`` does not. Whatever the rule, ``structure_verdict`` says whether the
data has natural segments at the chosen k (docs/clustering.md).
"""

import warnings

import numpy as np
import pandas as pd
from kneed import KneeLocator

from customer_segmentation.core.clustering.hierarchy import Hierarchy, cut_linkage
from customer_segmentation.errors import InputDataError

K_SELECTION_COLUMNS = ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin"]
RULES = ("reference", "combined", "silhouette", "elbow", "fixed")


def k_values(k_range: dict, n_customers: int, source: str = "model_input") -> list[int]:
    """The k to score, checked against each other and against the number of customers."""
    k_min, k_max = k_range.get("min"), k_range.get("max")
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in (k_min, k_max)):
        raise ValueError(
            f"clustering.k_range must give integer min and max, got min={k_min!r}, max={k_max!r}."
        )
    if k_min < 2 or k_min > k_max:
        raise ValueError(
            f"clustering.k_range min={k_min}, max={k_max} is invalid: need 2 <= min <= max."
        )
    if n_customers <= k_max:
        raise InputDataError(
            f"{source}: {n_customers} customers but clustering.k_range goes up to k={k_max}; the "
            f"silhouette needs more customers than clusters. Lower k_range.max below "
            f"{n_customers} or provide more customers."
        )
    return list(range(k_min, k_max + 1))


def silhouette_sample(n_rows: int, sample_size: int, random_state: int) -> np.ndarray:
    """Row indices on which every k's silhouette is scored: all rows, or one seeded sample."""
    if n_rows <= sample_size:
        return np.arange(n_rows)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=sample_size, replace=False))


def within_cluster_sum_of_squares(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of rows to their cluster mean, O(n d)."""
    counts = np.bincount(labels)
    sums = np.vstack([np.bincount(labels, weights=column) for column in matrix.T]).T
    residuals = matrix - (sums / counts[:, None])[labels]
    return float(np.einsum("ij,ij->", residuals, residuals))


def group_sums(
    codes: np.ndarray, columns: np.ndarray, sizes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Count (or total `sizes`) and per-feature sums (d x k) of the items of each code 0..k-1."""
    counts = np.bincount(codes, weights=sizes).astype(np.float64)
    sums = np.vstack(
        [np.bincount(codes, weights=column, minlength=len(counts)) for column in columns]
    )
    return counts, sums


def calinski_harabasz_davies_bouldin(
    columns: np.ndarray, codes: np.ndarray, counts: np.ndarray, centroids: np.ndarray
) -> tuple[float, float]:
    """Calinski-Harabasz and Davies-Bouldin indices of one partition in a single O(n d) pass.

    From the feature columns (d x n, contiguous), codes 0..k-1, the cluster sizes and centroids
    (d x k; see `group_sums`). The formulas of scikit-learn's ``calinski_harabasz_score`` and
    ``davies_bouldin_score`` (equal up to rounding, tested), which each make a masked pass per
    cluster; column by column on 1-D arrays, as gathering an n x d centroid matrix per k took
    6 s of the nine k at 10M customers, this about a third of it.
    """
    n_rows, n_clusters = columns.shape[1], len(counts)
    squared = np.zeros(n_rows)
    for column, centre in zip(columns, centroids, strict=True):
        residual = column - centre[codes]
        residual *= residual
        squared += residual
    within = float(squared.sum())
    offsets = centroids - columns.mean(axis=1)[:, None]
    between = float(np.sum(counts * np.einsum("ij,ij->j", offsets, offsets)))
    calinski = (
        1.0 if within == 0.0 else between * (n_rows - n_clusters) / (within * (n_clusters - 1.0))
    )
    scatter = np.bincount(codes, weights=np.sqrt(squared, out=squared)) / counts
    norms = np.einsum("ij,ij->j", centroids, centroids)
    gaps = np.sqrt(np.maximum(norms[:, None] + norms[None, :] - 2.0 * centroids.T @ centroids, 0.0))
    np.fill_diagonal(gaps, 0.0)
    if np.allclose(scatter, 0) or np.allclose(gaps, 0):
        return calinski, 0.0
    gaps[gaps == 0] = np.inf
    ratios = (scatter[:, None] + scatter[None, :]) / gaps
    return calinski, float(np.mean(np.max(ratios, axis=1)))


def sample_silhouettes(
    points: np.ndarray, partitions: list[np.ndarray], chunk_rows: int
) -> list[np.ndarray]:
    """Per-point silhouettes of several partitions of the same points, distances computed once.

    Equal to scikit-learn's ``silhouette_samples`` for each partition (singletons score 0), but
    each chunk of pairwise distances (chunk_rows x n) serves every partition through one product
    with the stacked one-hot cluster indicators, instead of being recomputed per k.
    """
    codes = [np.unique(labels, return_inverse=True)[1] for labels in partitions]
    widths = [int(code.max()) + 1 for code in codes]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    indicator = np.zeros((len(points), offsets[-1]))
    for code, offset in zip(codes, offsets[:-1], strict=True):
        indicator[np.arange(len(points)), offset + code] = 1.0
    sizes = indicator.sum(axis=0)
    squared_norms = np.einsum("ij,ij->i", points, points)
    values = [np.zeros(len(points)) for _ in partitions]
    # Two chunk_rows x n buffers, reused for every chunk: the distances are formed in place (no
    # temporaries of that size), with the same floating-point operations as the direct formula.
    norms_sum = np.empty((min(chunk_rows, len(points)), len(points)))
    products = np.empty_like(norms_sum)
    for start in range(0, len(points), chunk_rows):
        rows = np.arange(start, min(start + chunk_rows, len(points)))
        distances = products[: len(rows)]
        np.matmul(points[rows], points.T, out=distances)
        distances *= -2.0
        np.add(squared_norms[rows, None], squared_norms[None, :], out=norms_sum[: len(rows)])
        distances += norms_sum[: len(rows)]  # (|a|^2 + |b|^2) - 2 a.b
        np.clip(distances, 0.0, None, out=distances)
        np.sqrt(distances, out=distances)
        distances[np.arange(len(rows)), rows] = 0.0
        sums = distances @ indicator  # rows x (sum of k): distance to every cluster of every k
        for index, (code, offset, width) in enumerate(zip(codes, offsets, widths, strict=False)):
            block = sums[:, offset : offset + width]
            block_sizes = sizes[offset : offset + width]
            own = code[rows]
            own_size = block_sizes[own]
            mean_to = block / block_sizes
            mean_to[np.arange(len(rows)), own] = np.inf
            inner = block[np.arange(len(rows)), own] / np.maximum(own_size - 1, 1)
            nearest = mean_to.min(axis=1)
            score = (nearest - inner) / np.maximum(inner, nearest)
            values[index][rows] = np.where(own_size > 1, np.nan_to_num(score), 0.0)
    return values


def score_k_range(
    matrix: np.ndarray,
    hierarchy: Hierarchy,
    ks: list[int],
    sample: np.ndarray,
    chunk_rows: int,
) -> pd.DataFrame:
    """One row per k: WCSS of the hierarchy's own partition, silhouette, CH and DB.

    Silhouettes are the mean over the same sample rows for every k (NaN if the sample holds a
    single cluster); the other scores use every row.
    """
    columns = np.ascontiguousarray(matrix.T)  # one copy, shared by every k
    leaf_of_row = hierarchy.leaf_of_row
    if leaf_of_row is None:  # exact path: every row is a leaf
        leaf_of_row = np.arange(len(matrix))
    # Sizes and sums per leaf, once: each k's centroids then come from m leaves, not n rows.
    leaf_sizes, leaf_sums = group_sums(leaf_of_row, columns)
    leaf_partitions = [cut_linkage(hierarchy.linkage, k) for k in ks]
    silhouettes = sample_silhouettes(
        matrix[sample], [labels[leaf_of_row[sample]] for labels in leaf_partitions], chunk_rows
    )
    rows = []
    for k, leaf_labels, values in zip(ks, leaf_partitions, silhouettes, strict=True):
        labels = leaf_labels[leaf_of_row]
        wcss = (
            hierarchy.ward_wcss(k)
            if hierarchy.method == "ward"
            else within_cluster_sum_of_squares(matrix, labels)
        )
        single = len(np.unique(labels[sample])) < 2
        counts, sums = group_sums(leaf_labels, leaf_sums, leaf_sizes)
        calinski, davies = calinski_harabasz_davies_bouldin(columns, labels, counts, sums / counts)
        rows.append(
            {
                "k": k,
                "wcss": wcss,
                "silhouette": float("nan") if single else float(values.mean()),
                "calinski_harabasz": calinski,
                "davies_bouldin": davies,
            }
        )
    return pd.DataFrame(rows, columns=K_SELECTION_COLUMNS).astype({"k": "int64"})


def find_knee(ks: np.ndarray, wcss: np.ndarray, sensitivity: float) -> int | None:
    """Knee of the decreasing, convex WCSS curve by kneed; None when there is none."""
    if len(ks) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kneed warns when it finds no knee; None says it
        locator = KneeLocator(
            ks, wcss, S=sensitivity, curve="convex", direction="decreasing", online=False
        )
    return None if locator.knee is None else int(locator.knee)


def _nearest(candidates: list[int], target: int | None) -> int:
    """The candidate nearest the target (ties and no target: the smaller k)."""
    if target is None:
        return min(candidates)
    return min(candidates, key=lambda k: (abs(k - target), k))


def _by_silhouette(table: pd.DataFrame, knee: int | None, noise: float) -> tuple[int, str]:
    """Best silhouette, with differences below the noise level settled by the knee."""
    best = table["silhouette"].max()
    tied = table.loc[table["silhouette"] >= best - noise, "k"].tolist()
    chosen = _nearest(tied, knee)
    if len(tied) == 1:
        return chosen, f"highest silhouette ({best:.3f}) at k={chosen}"
    return chosen, (
        f"silhouettes of k={tied} lie within the sampling noise {noise} of the best ({best:.3f}); "
        f"the tie goes to the k nearest the knee ({knee}), then the smaller k: k={chosen}"
    )


def _knee_refined_by_silhouette(table: pd.DataFrame, knee: int, selection: dict) -> tuple[int, str]:
    """The combined rule: the knee, moved to a neighbour only on a clearly better silhouette.

    Candidates are the k within ``knee_window`` of the knee. A candidate replaces the knee when its
    silhouette beats the knee's by more than ``silhouette_margin`` (the best such candidate wins).
    If the result's silhouette is below ``silhouette_floor`` the segments have no usable structure
    at that size, and the best silhouette over the whole range decides instead.
    """
    silhouettes = dict(zip(table["k"], table["silhouette"], strict=True))
    window, margin = selection["knee_window"], selection["silhouette_margin"]
    floor = selection["silhouette_floor"]
    at_knee = silhouettes[knee]
    neighbours = {int(k): s for k, s in silhouettes.items() if 0 < abs(k - knee) <= window}
    better = {k: s for k, s in neighbours.items() if s > at_knee + margin}
    listed = ", ".join(f"k={k}: {s:.3f}" for k, s in sorted(neighbours.items()))
    if better:
        chosen = max(better, key=lambda k: (better[k], -k))
        why = (
            f"silhouette at the knee {at_knee:.3f}; neighbour k={chosen} beats it by more than "
            f"the margin {margin} ({listed}), so k={chosen}"
        )
    else:
        chosen = knee
        why = (
            f"silhouette at the knee {at_knee:.3f}; no neighbour within {window} beats it by more "
            f"than the margin {margin} ({listed}), so the knee stands"
        )
    if silhouettes[chosen] < floor:
        fallback, reason = _by_silhouette(table, knee, selection["silhouette_noise"])
        return fallback, (
            f"{why}; but its silhouette {silhouettes[chosen]:.3f} is below the floor {floor}, "
            f"so silhouette decides: {reason}"
        )
    best_k = int(table.loc[table["silhouette"].idxmax(), "k"])
    if best_k != chosen:
        why += (
            f". The best silhouette overall is {silhouettes[best_k]:.3f} at k={best_k}; "
            "the combined rule lets the elbow set the scale and silhouette only refine it"
        )
    return chosen, why


def reference_elbow(reference: pd.DataFrame, structure: dict) -> tuple[int | None, int | None]:
    """(elbow, k): the largest k <= max_k whose ``gain`` reaches ``min_gain``, then extended by
    one segment at a time while the next cut stays reproducible; (None, None) without elbow."""
    scores = reference.set_index("k")
    scanned = scores.loc[scores.index <= structure["max_k"]]
    material = scanned.index[scanned["gain"] >= structure["min_gain"]]
    if len(material) == 0:
        return None, None
    elbow = chosen = int(material.max())
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
        knee = find_knee(reference.loc[in_range, "k"].to_numpy(), sample_wcss[in_range], 1.0)
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


def select_k(
    table: pd.DataFrame,
    selection: dict,
    reference: pd.DataFrame | None = None,
    structure: dict | None = None,
) -> dict:
    """Apply the selection rule to the k_selection table; return the decision and its reasons.

    ``reference`` (``stability.reference_scores``) and ``structure`` (its parameters and
    thresholds) are needed by the ``reference`` rule; given with any rule, they add the
    ``structure`` verdict at the chosen k.
    """
    rule = selection["rule"]
    if rule not in RULES:
        raise ValueError(f"clustering.selection.rule is '{rule}'; use one of {', '.join(RULES)}.")
    if rule == "reference" and (reference is None or structure is None):
        raise ValueError("the 'reference' rule needs the reference scores and their settings")
    ks = table["k"].to_numpy()
    silhouettes = dict(zip(table["k"], table["silhouette"], strict=True))
    knee = find_knee(ks, table["wcss"].to_numpy(), selection["knee_sensitivity"])
    best_k = int(table.loc[table["silhouette"].idxmax(), "k"])
    best = silhouettes[best_k]
    knee_text = (
        f"knee of the WCSS curve (kneed, convex/decreasing, S={selection['knee_sensitivity']}) "
        f"at k={knee}"
        if knee is not None
        else "kneed found no knee in the WCSS curve"
    )
    elbow, explanation = None, None
    if rule == "reference":
        chosen, elbow, why, explanation = _by_reference(table, reference, structure)
    elif rule == "fixed":
        chosen = selection["fixed_k"]
        if chosen not in silhouettes:
            raise ValueError(
                f"clustering.selection.fixed_k={chosen} is outside the k range "
                f"{ks.min()}..{ks.max()}; change fixed_k or k_range."
            )
        why = f"k fixed by parameter at {chosen}"
    elif rule == "elbow" and knee is not None:
        chosen, why = knee, f"k at the knee: {knee}"
    elif rule in ("combined", "elbow") and knee is None:
        chosen, why = _by_silhouette(table, knee, selection["silhouette_noise"])
        why = f"no knee, so silhouette decides: {why}"
    elif rule == "silhouette":
        chosen, why = _by_silhouette(table, knee, selection["silhouette_noise"])
    else:
        chosen, why = _knee_refined_by_silhouette(table, knee, selection)
    chosen = int(chosen)
    decision = {
        "rule": rule,
        "chosen_k": chosen,
        "knee_k": knee,
        "best_silhouette_k": best_k,
        "silhouette_at_chosen_k": float(silhouettes[chosen]),
        "best_silhouette": float(best),
        "reasoning": f"Rule '{rule}': {why}. Chosen k={chosen}. (On this k range, the {knee_text}.)"
        if rule == "reference"
        else f"Rule '{rule}': {knee_text}; {why}. Chosen k={chosen}.",
    }
    if reference is not None and structure is not None:
        if elbow is None and rule != "reference":
            elbow = reference_elbow(reference, structure)[0]
        verdict = structure_verdict(reference, chosen, elbow, structure)
        decision["elbow_k"] = elbow
        decision["structure"] = verdict
        # Why this k; how firm the segments are is structure["statement"], shown beside it.
        decision["explanation"] = (
            explanation or f"The number of segments was set by the '{rule}' rule: {why}."
        )
        decision["reference_scores"] = reference.round(4).to_dict(orient="records")
    return decision
