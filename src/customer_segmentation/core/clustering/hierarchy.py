"""One agglomerative hierarchy per run, built once and cut at any number of clusters.

Two paths, chosen by the number of customers (``clustering.exact_max_customers``):

- exact: the linkage of every customer. Ward and single use fastcluster's ``linkage_vector``
  (linear memory, no distance matrix); complete and average need the condensed distance matrix
  (n^2/2 floats), so they are bounded by ``clustering.distance_matrix_max_customers``.
- two_stage (Ward only): MiniBatchKMeans cuts the customers into micro-clusters, Ward runs on the
  micro-cluster centroids weighted by their sizes (``weighted_ward.weighted_ward_linkage``), and
  every customer takes its micro-cluster's cluster.

Both paths give a scipy-format linkage over "leaves" (customers or micro-clusters), so cutting,
the WCSS curve and the dendrogram share one code path.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import fastcluster
import numpy as np
import pandas as pd
from sklearn.cluster import MiniBatchKMeans
from threadpoolctl import threadpool_limits

from customer_segmentation.core.clustering.parameters import (
    LINEAR_MEMORY_METHODS,
    MATRIX_METHODS,
    ClusteringSettings,
)
from customer_segmentation.core.clustering.weighted_ward import weighted_ward_linkage
from customer_segmentation.core.ids import id_order, in_id_order
from customer_segmentation.errors import InputDataError

LOGGER = logging.getLogger(__name__)

EXACT, TWO_STAGE = "exact", "two_stage"


@dataclass(frozen=True)
class Hierarchy:
    """A linkage over leaves plus the map from rows (customers) to leaves."""

    linkage: np.ndarray  # scipy format, (n_leaves - 1) x 4, sorted by height
    leaf_of_row: np.ndarray | None  # micro-cluster of each row; None when rows are the leaves
    within_leaf_ss: float  # sum of squares of rows around their leaf centroid (0 when exact)
    method: str
    path: str
    reason: str

    @property
    def n_leaves(self) -> int:
        """Number of leaves of the tree (customers, or micro-clusters on the two-stage path)."""
        return self.linkage.shape[0] + 1

    def labels(self, n_clusters: int) -> np.ndarray:
        """Cluster (0..k-1, ordered by tree node) of every row, cutting the tree at k clusters."""
        leaf_labels = cut_linkage(self.linkage, n_clusters)
        return leaf_labels if self.leaf_of_row is None else leaf_labels[self.leaf_of_row]

    def ward_wcss(self, n_clusters: int) -> float:
        """Within-cluster sum of squares at k clusters from the Ward merge heights.

        A Ward merge of height h adds h^2/2 to the within-cluster sum of squares, so at k clusters
        WCSS = within-leaf SS + sum of h^2/2 over the first n_leaves - k merges (those made).
        """
        if self.method != "ward":
            raise ValueError("WCSS from merge heights holds for Ward linkage only")
        made = self.n_leaves - n_clusters
        heights = self.linkage[:made, 2]
        return float(self.within_leaf_ss + np.sum(heights * heights) / 2.0)


def cut_linkage(linkage: np.ndarray, n_clusters: int) -> np.ndarray:
    """Leaf labels 0..k-1 after the first n_leaves - k merges of a height-sorted linkage.

    Each leaf is sent to its highest ancestor that exists at k clusters by pointer jumping:
    O(n log n), vectorised, no recursion.
    """
    n_leaves = linkage.shape[0] + 1
    if not 1 <= n_clusters <= n_leaves:
        raise ValueError(f"cannot cut a tree of {n_leaves} leaves into {n_clusters} clusters")
    made = n_leaves - n_clusters
    parent = np.arange(n_leaves + made)
    children = linkage[:made, :2].astype(np.intp)
    new_nodes = np.arange(n_leaves, n_leaves + made)
    parent[children[:, 0]] = new_nodes
    parent[children[:, 1]] = new_nodes
    while True:
        grandparent = parent[parent]
        if np.array_equal(grandparent, parent):
            break
        parent = grandparent
    _, labels = np.unique(parent[:n_leaves], return_inverse=True)
    return labels.astype(np.int64)


def validate_matrix(matrix: np.ndarray, source: str = "model_input") -> np.ndarray:
    """Return the matrix as C-contiguous float64; raise a clear error if it cannot be clustered."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise InputDataError(
            f"{source}: expected a 2-D numeric matrix with at least one feature column, got shape "
            f"{matrix.shape}. Check the feature_engineering output."
        )
    if matrix.shape[0] < 2:
        raise InputDataError(
            f"{source}: {matrix.shape[0]} customer(s); clustering needs at least 2. "
            "Check how many rows data processing kept."
        )
    if not np.isfinite(matrix).all():
        raise InputDataError(
            f"{source}: contains NaN or infinite values; model_input must be finite. "
            "Fix the feature_engineering step that produced them."
        )
    if np.all(matrix == matrix[0]):
        raise InputDataError(
            f"{source}: all {matrix.shape[0]} customers have identical feature values, so there "
            "are no segments to find. Check the input data and the feature columns."
        )
    return matrix


def choose_path(n_rows: int, settings: ClusteringSettings) -> tuple[str, str]:
    """Pick the exact or two-stage path for n rows and say why."""
    method = settings.linkage_method
    exact_max = settings.exact_max_customers
    matrix_max = settings.distance_matrix_max_customers
    if method in MATRIX_METHODS and n_rows > matrix_max:
        raise ValueError(
            f"clustering.linkage_method '{method}' needs an n^2/2 distance matrix and has no "
            f"large-n path: {n_rows} customers > distance_matrix_max_customers={matrix_max}. "
            "Use 'ward' (two-stage past the size limit) or raise the limit if memory allows."
        )
    if n_rows <= exact_max:
        memory = "linear memory" if method in LINEAR_MEMORY_METHODS else "n^2/2 distance matrix"
        return EXACT, (
            f"{n_rows} customers <= exact_max_customers={exact_max}: exact {method} linkage of "
            f"every customer ({memory})"
        )
    if method != "ward":
        raise ValueError(
            f"clustering.linkage_method '{method}' has no large-n path: {n_rows} customers > "
            f"exact_max_customers={exact_max}. Use 'ward' or raise exact_max_customers."
        )
    return TWO_STAGE, (
        f"{n_rows} customers > exact_max_customers={exact_max}: two-stage, "
        f"{settings.micro_clusters} MiniBatchKMeans micro-clusters then size-weighted Ward on "
        "their centroids"
    )


def _micro_clusters(
    matrix: np.ndarray, settings: ClusteringSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Micro-cluster index of every row (0..m-1, no empty ones) and the exact member means."""
    n_micro = min(settings.micro_clusters, len(matrix))
    kmeans = MiniBatchKMeans(
        n_clusters=n_micro,
        batch_size=settings.micro_batch_size,
        n_init=settings.micro_n_init,
        random_state=settings.random_state,
    )
    # The number of mini-batch steps grows with the rows (scikit-learn's early stopping smooths
    # the inertia over about n / batch_size steps): 13 s at 1M rows but minutes at 10M. Past
    # micro_fit_max_customers the micro-clusters are fitted on a seeded sample of that many rows
    # and every row then joins its nearest micro-cluster (one linear pass).
    fit_max = settings.micro_fit_max_customers
    sample = None
    if fit_max is not None and len(matrix) > fit_max:
        rng = np.random.default_rng(settings.random_state)
        sample = np.sort(rng.choice(len(matrix), size=fit_max, replace=False))
    # The search runs in float32: at 10M customers the nearest-micro-cluster pass was 2.4x faster
    # than in float64 and 99.996 % of customers joined the same micro-cluster. The micro-clusters
    # are only a partition: their means and everything after them use float64.
    points = matrix.astype(np.float32)
    # Mini-batches are small, so OpenMP threads mostly wait on each other; on 2 busy cores one
    # thread ran 13x faster (1.6 s against 21 s at 300,000 rows). Absent/null: library default.
    with threadpool_limits(limits=settings.micro_threads):
        if sample is None:
            raw_leaf = kmeans.fit_predict(points)
        else:
            kmeans.fit(points[sample])
    if sample is not None:
        raw_leaf = kmeans.predict(points)  # large dense blocks: threads help here
    # Drop empty micro-clusters (renumbering the others in order, as np.unique would, without
    # sorting n labels) and use the true means of the members, so that WCSS decomposes exactly
    # into within-leaf SS plus the weighted Ward heights.
    raw_sizes = np.bincount(raw_leaf)
    used = np.flatnonzero(raw_sizes)
    renumber = np.zeros(len(raw_sizes), dtype=np.intp)
    renumber[used] = np.arange(len(used))
    leaf_of_row = renumber[raw_leaf]
    sizes = raw_sizes[used].astype(np.float64)
    centroids = (
        np.vstack(
            [np.bincount(leaf_of_row, weights=column, minlength=len(used)) for column in matrix.T]
        ).T
        / sizes[:, None]
    )
    return leaf_of_row, centroids


def build_hierarchy(matrix: np.ndarray, settings: ClusteringSettings) -> Hierarchy:
    """Build the one hierarchy of this run on the path that ``settings`` and the size select."""
    matrix = validate_matrix(matrix)
    method = settings.linkage_method
    path, reason = choose_path(len(matrix), settings)
    LOGGER.info("Clustering path: %s (%s)", path, reason)
    if path == EXACT:
        if method in LINEAR_MEMORY_METHODS:
            linkage = fastcluster.linkage_vector(matrix, method=method)
        else:
            linkage = fastcluster.linkage(matrix, method=method, metric="euclidean")
        return Hierarchy(linkage, None, 0.0, method, path, reason)
    leaf_of_row, centroids = _micro_clusters(matrix, settings)
    sizes = np.bincount(leaf_of_row).astype(np.float64)
    within_leaf_ss = 0.0
    for column, centre in zip(matrix.T, centroids.T, strict=True):  # 1-D passes: no n x d copy
        residual = column - centre[leaf_of_row]
        within_leaf_ss += float(np.dot(residual, residual))
    linkage = weighted_ward_linkage(centroids, sizes)
    return Hierarchy(linkage, leaf_of_row, within_leaf_ss, method, path, reason)


def cluster_labels(matrix: np.ndarray, n_clusters: int, params: Mapping) -> np.ndarray:
    """Cluster a numeric matrix the way the clustering pipeline does; labels 0..k-1.

    ``params`` is ``params:clustering`` (path choice, linkage method, micro-cluster settings):
    other pipelines (cluster_analysis' stability check) call this with their parameters. The
    label order is arbitrary; the pipeline numbers segments afterwards.
    """
    matrix = np.asarray(matrix)
    if not 2 <= n_clusters <= len(matrix):
        raise InputDataError(
            f"cannot split {len(matrix)} rows into {n_clusters} clusters; n_clusters must be "
            "between 2 and the number of rows."
        )
    hierarchy = build_hierarchy(matrix, ClusteringSettings.from_params(params))
    if n_clusters > hierarchy.n_leaves:
        raise InputDataError(
            f"only {hierarchy.n_leaves} micro-clusters for {n_clusters} clusters; raise "
            "clustering.micro_clusters."
        )
    return hierarchy.labels(n_clusters)


def model_input_matrix(
    model_input: pd.DataFrame, source: str = "model_input"
) -> tuple[np.ndarray, np.ndarray]:
    """Customer IDs and feature matrix, rows in ID order (core.ids) so that row order never
    matters."""
    if "ID" not in model_input.columns:
        raise InputDataError(f"{source}: no 'ID' column; feature_engineering must keep the ID.")
    # Five nodes read the matrix. A table already in ID order (as feature_engineering writes it)
    # is not sorted again, and an Index checks sorted IDs for repeats without hashing them
    # (Series.is_unique hashes): at 10M customers the two took 3-5 s per call.
    if not pd.Index(model_input["ID"]).is_unique:
        duplicated = model_input.loc[model_input["ID"].duplicated(), "ID"].head(5).tolist()
        raise InputDataError(
            f"{source}: column 'ID' has duplicated customers (e.g. {duplicated}); each "
            "customer must appear once. Check data processing's duplicate rule."
        )
    if not in_id_order(model_input["ID"]):
        model_input = model_input.take(id_order(model_input["ID"]))
    features = model_input.drop(columns="ID")
    non_numeric = [name for name, dtype in features.dtypes.items() if dtype.kind not in "fiub"]
    if non_numeric:
        raise InputDataError(
            f"{source}: non-numeric feature columns {non_numeric}; encode them in "
            "feature_engineering."
        )
    return model_input["ID"].to_numpy(), features.to_numpy(dtype=np.float64)
