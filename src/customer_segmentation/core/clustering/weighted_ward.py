"""Ward linkage on weighted points (micro-cluster centroids), returned in scipy's linkage format.

No library accepts sample weights for Ward, so this module implements it. A point of weight w
stands for w customers sitting at its centroid; merging clusters A and B raises the within-cluster
sum of squares by the true Ward cost

    cost(A, B) = |A||B| / (|A| + |B|) * ||c_A - c_B||^2,

where |A| is the total weight of A and c_A its weighted centroid. Merges are found with the
nearest-neighbour chain, which is exact for Ward because Ward is reducible. Each nearest-neighbour
query is one vectorised pass over the active clusters, O(m d); about 2m queries are made, so the
whole tree costs O(m^2 d) time and O(m d) memory (no distance matrix).

Heights follow scipy's convention for Ward, height = sqrt(2 * cost), so with unit weights the tree
equals ``scipy.cluster.hierarchy.ward`` and height**2 / 2 is the merge's increase in the
within-cluster sum of squares. The fourth column holds the total weight (customers) of the cluster.
"""

import numpy as np


def _nearest_active(
    slot: int, centroids: np.ndarray, weights: np.ndarray, active: np.ndarray
) -> tuple[np.ndarray, int]:
    """Ward cost from cluster ``slot`` to every cluster (inf where inactive) and the argmin."""
    gaps = centroids - centroids[slot]
    squared = np.einsum("ij,ij->i", gaps, gaps)
    costs = weights[slot] * weights / (weights[slot] + weights) * squared
    costs[~active] = np.inf
    costs[slot] = np.inf
    return costs, int(np.argmin(costs))


def _merge_order(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the nearest-neighbour chain; return merged representative pairs and their costs."""
    centroids = points.astype(np.float64, copy=True)
    sizes = weights.astype(np.float64, copy=True)
    n_points = len(points)
    active = np.ones(n_points, dtype=bool)
    pairs = np.empty((n_points - 1, 2), dtype=np.intp)
    costs = np.empty(n_points - 1, dtype=np.float64)
    chain: list[int] = []
    for merge in range(n_points - 1):
        while True:
            if not chain:
                chain.append(int(np.flatnonzero(active)[0]))
            tail = chain[-1]
            tail_costs, nearest = _nearest_active(tail, centroids, sizes, active)
            previous = chain[-2] if len(chain) > 1 else -1
            # On ties keep walking back along the chain: that is what guarantees termination.
            if previous >= 0 and tail_costs[previous] <= tail_costs[nearest]:
                nearest = previous
            if nearest == previous:
                break
            chain.append(nearest)
        chain.pop()
        chain.pop()
        keep, drop = min(tail, nearest), max(tail, nearest)
        total = sizes[keep] + sizes[drop]
        costs[merge] = tail_costs[nearest]
        centroids[keep] = (sizes[keep] * centroids[keep] + sizes[drop] * centroids[drop]) / total
        sizes[keep] = total
        active[drop] = False
        pairs[merge] = (keep, drop)
    return pairs, costs


def _to_scipy_linkage(pairs: np.ndarray, costs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sort merges by cost and rename clusters the way scipy numbers them (leaves, then merges)."""
    n_points = len(weights)
    order = np.argsort(costs, kind="stable")
    root = np.arange(n_points)  # union-find over leaves
    node_of_root = np.arange(n_points)  # scipy node id of the cluster whose root is this leaf
    weight_of_root = weights.astype(np.float64, copy=True)

    def find(leaf: int) -> int:
        while root[leaf] != leaf:
            root[leaf] = root[root[leaf]]
            leaf = root[leaf]
        return leaf

    linkage = np.empty((n_points - 1, 4), dtype=np.float64)
    for step, merge in enumerate(order):
        first, second = find(pairs[merge, 0]), find(pairs[merge, 1])
        left, right = sorted((node_of_root[first], node_of_root[second]))
        total = weight_of_root[first] + weight_of_root[second]
        linkage[step] = (left, right, np.sqrt(2.0 * costs[merge]), total)
        root[second] = first
        node_of_root[first] = n_points + step
        weight_of_root[first] = total
    return linkage


def weighted_ward_linkage(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Ward linkage of ``points`` (m x d) where point i counts ``weights[i]`` times.

    Returns an (m-1) x 4 scipy linkage matrix sorted by height.
    """
    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if points.ndim != 2 or len(points) < 2:
        raise ValueError(
            f"weighted Ward needs a 2-D array of at least 2 points, got {points.shape}"
        )
    if weights.shape != (len(points),) or not np.all(weights > 0):
        raise ValueError("weighted Ward needs one positive weight per point")
    pairs, costs = _merge_order(points, weights)
    return _to_scipy_linkage(pairs, costs, weights)
