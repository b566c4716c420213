"""The generator writes the layout the default schema declares (conf/base/parameters.yml)."""

from tests.fixtures.schema import DEFAULT_SCHEMA
from tools.synthetic import schema as layout


def test_the_generators_columns_are_the_declared_default_layout():
    declared = DEFAULT_SCHEMA.declared
    assert list(layout.RAW_COLUMNS) == [spec.name for spec in declared]
    assert list(layout.SPEND_COLUMNS) == list(DEFAULT_SCHEMA.products.values())
    assert list(layout.CHANNEL_COLUMNS) == list(DEFAULT_SCHEMA.channels.values())
    assert list(layout.CAMPAIGN_COLUMNS) == DEFAULT_SCHEMA.groups()["campaigns"]
    by_name = {spec.name: spec for spec in declared}
    assert tuple(by_name["Education"].allowed) == layout.EDUCATION_LEVELS
    assert tuple(by_name["Marital_Status"].allowed) == layout.MARITAL_STATUSES
    assert by_name["Dt_Customer"].formats[0] == layout.DATE_FORMAT
