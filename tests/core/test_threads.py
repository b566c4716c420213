import pytest

from customer_segmentation.core.threads import map_columns


def test_results_keep_the_order_of_the_names():
    names = [f"column_{i}" for i in range(20)]
    assert list(map_columns(str.upper, names).items()) == [(name, name.upper()) for name in names]


def test_an_error_in_one_column_is_raised():
    def parse(name: str) -> int:
        return int(name)

    with pytest.raises(ValueError, match="invalid literal"):
        map_columns(parse, ["1", "two", "3"])
