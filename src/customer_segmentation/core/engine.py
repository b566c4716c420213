"""The engine that runs row-level work: Ibis over embedded DuckDB by default, or Spark.

Steps written as Ibis expressions (the transaction log's RFM table, the segment profiles) run
unchanged on either engine; only their small results come back to pandas. One switch chooses it
for a whole run: ``kedro run --params engine=pyspark`` (``engine`` in conf/base/parameters.yml,
which the transaction log's catalog entry reads too).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from customer_segmentation.errors import InputDataError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    from ibis import BaseBackend

ENGINES = ("duckdb", "pyspark")


def connect(backend_settings: Mapping[str, Any] | str | None = None) -> BaseBackend:
    """An Ibis connection: DuckDB in-process by default, or PySpark.

    ``"duckdb"`` or ``{"backend": "duckdb", ...}`` passes the other keys to
    ``ibis.duckdb.connect`` (e.g. ``memory_limit``, ``threads``, ``temp_directory``).
    ``"pyspark"`` or ``{"backend": "pyspark", "master": ..., "conf": {...}}`` starts or reuses a
    Spark session (``spark_session``).
    """
    import ibis  # noqa: PLC0415 - takes 1 s to import; only steps on the engine need it

    if backend_settings is None or isinstance(backend_settings, str):
        backend_settings = {"backend": backend_settings or "duckdb"}
    settings = dict(backend_settings)
    backend = settings.pop("backend", "duckdb")
    if backend == "duckdb":
        return ibis.duckdb.connect(**settings)
    if backend == "pyspark":
        return ibis.pyspark.connect(spark_session(settings))
    raise InputDataError(
        f"engine {backend!r} is not supported; use 'duckdb' (embedded, the default) or "
        "'pyspark' (local or a cluster): kedro run --params engine=pyspark."
    )


def spark_session(settings: Mapping[str, Any] | None = None):  # -> pyspark.sql.SparkSession
    """Start or reuse a Spark session from ``{"master", "app_name", "conf"}`` settings.

    Without ``master``, Spark's own configuration decides (``spark-submit --master``,
    ``spark-defaults.conf``; ``local[*]`` when nothing is set).
    """
    settings = dict(settings or {})
    require_java()
    from pyspark.sql import SparkSession  # noqa: PLC0415 - Spark is optional

    builder = SparkSession.builder.appName(settings.get("app_name", "customer-segmentation"))
    if settings.get("master"):
        builder = builder.master(settings["master"])
    for key, value in (settings.get("conf") or {}).items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()


def require_java() -> None:
    """Refuse the Spark backend early, with the fix, when no Java runtime can be found.

    Spark's launcher uses ``$JAVA_HOME/bin/java`` or else the ``java`` on PATH; nothing is set here.
    """
    if os.environ.get("JAVA_HOME") or shutil.which("java"):
        return
    raise InputDataError(
        "Spark backend: no Java runtime found (JAVA_HOME unset and no `java` on PATH); "
        "install one (Debian: apt-get install openjdk-17-jre-headless) or use engine duckdb."
    )


def table(con: BaseBackend, frame: pd.DataFrame, name: str) -> ir.Table:
    """``frame`` as a view of ``con`` named ``name`` (replacing one of that name), for the tables
    a node still receives from the catalog as pandas. DuckDB reads the frame's Arrow buffers in
    place; Spark makes it a temporary view.
    """
    import ibis  # noqa: PLC0415

    return con.create_view(name, ibis.memtable(frame.reset_index(drop=True)), overwrite=True)


def aggregates(
    table: ir.Table, metrics: Mapping[str, Mapping[str, ir.Scalar]], by: str | None = None
) -> dict[str, pd.DataFrame]:
    """Named aggregates of ``table``, computed on the engine in one query.

    ``metrics``: {statistic: {name: aggregate expression}}. Returns {statistic: frame with one
    column per name}, one row per value of ``by`` (its index, sorted), or a single row (index
    0) when ``by`` is None. Only these small frames come back.
    """
    flat = {
        f"{statistic}_{position}": expression
        for statistic, named in metrics.items()
        for position, expression in enumerate(named.values())
    }
    query = table.aggregate(**flat) if by is None else table.group_by(by).aggregate(**flat)
    found = query.execute()
    if by is not None:
        found = found.set_index(by).sort_index()
    return {
        statistic: found[[f"{statistic}_{position}" for position in range(len(named))]].set_axis(
            list(named), axis=1
        )
        for statistic, named in metrics.items()
    }
