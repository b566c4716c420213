"""The clustering parameters are checked once, with messages that name the parameter and the fix."""

import pytest

from customer_segmentation.core.clustering.parameters import ClusteringSettings
from tests.fixtures.clustering import base_params

BASE = base_params()


def settings(**changes) -> ClusteringSettings:
    return ClusteringSettings.from_params({**BASE, **changes})


def test_the_base_parameters_are_valid():
    checked = settings()
    assert (checked.k_min, checked.k_max, checked.rule) == (2, 10, "reference")
    assert checked.ks == list(range(2, 11)) and checked.reference_max_k == 12
    assert checked.structure == BASE["structure"]  # reported unchanged in the verdict


@pytest.mark.parametrize(
    ("k_range", "message"),
    [
        ({"min": 1, "max": 10}, "clustering.k_range.min is 1; give an integer >= 2"),
        ({"min": 2, "max": "ten"}, "clustering.k_range.max is 'ten'; give an integer >= 2"),
        ({"min": 2, "max": True}, "clustering.k_range.max is True"),
        ({"min": 6, "max": 5}, "clustering.k_range has min=6 > max=5; need 2 <= min <= max"),
        ({"min": 2}, "clustering.k_range.max is None"),
        ({"min": 2, "max": 10, "step": 2}, r"clustering.k_range has unknown key\(s\) \['step'\]"),
    ],
)
def test_a_bad_k_range_is_refused(k_range, message):
    with pytest.raises(ValueError, match=message):
        settings(k_range=k_range)


def test_rules():
    fixed = settings(selection={"rule": "fixed", "fixed_k": 7})
    assert (fixed.rule, fixed.fixed_k) == ("fixed", 7)
    with pytest.raises(ValueError, match="fixed_k is 12, outside k_range 2..10; change fixed_k"):
        settings(selection={"rule": "fixed", "fixed_k": 12})
    with pytest.raises(
        ValueError, match="selection.rule is 'combined'; use one of reference, fixed"
    ):
        settings(selection={"rule": "combined", "fixed_k": 4})
    # A local conf still setting a removed rule's parameters is told to delete them.
    with pytest.raises(ValueError, match=r"selection has unknown key\(s\) \['knee_window'\]"):
        settings(selection={"rule": "reference", "fixed_k": 4, "knee_window": 1})


def test_other_parameters_are_named_when_wrong():
    with pytest.raises(ValueError, match="linkage_method is 'centroid'; use one of ward, single"):
        settings(linkage_method="centroid")
    with pytest.raises(ValueError, match="silhouette_sample_size is 10, not above k_range.max=10"):
        settings(silhouette_sample_size=10)
    with pytest.raises(ValueError, match="silhouette_chunk_rows is not a clustering parameter"):
        settings(silhouette_chunk_rows=250)
    with pytest.raises(
        ValueError, match=r"structure.subsample_share is 0; give a number in \(0, 1\]"
    ):
        settings(structure={**BASE["structure"], "subsample_share": 0})
    assert settings(micro_threads=None).micro_threads is None
