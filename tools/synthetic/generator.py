"""Deterministic, vectorised generator of synthetic customers in the raw file's format.

Rows are made in fixed blocks of ``BLOCK_ROWS``; block ``b`` draws all its randomness from
``numpy.random.SeedSequence(seed, spawn_key=(b,))``. A file therefore depends only on
``(n_rows, seed, dirt, id_offset)``, never on ``chunk_size``, which only sets how many rows are
held in memory and written at once. Files of different sizes share their full leading blocks.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from tools.synthetic import segments as model
from tools.synthetic.dirt import (
    EDUCATION_VOCABULARY,
    MARITAL_VOCABULARY,
    DirtSettings,
    apply_dirt,
)
from tools.synthetic.schema import (
    CAMPAIGN_COLUMNS,
    CHANNEL_COLUMNS,
    CONSTANT_COLUMNS,
    DATE_FORMAT,
    DELIMITER,
    LINE_END,
    RAW_COLUMNS,
    SPEND_COLUMNS,
)

BLOCK_ROWS = 65_536  # the unit of randomness; changing it changes every file
DEFAULT_CHUNK_ROWS = 262_144
ID_STRIDE = 5  # IDs spread like the real file's (2,240 customers numbered 0..11191)
TRUTH_SUFFIX = "_segments"

_SEGMENT_PARAMS = model.segment_table()
_ENROLMENT_DAYS = pd.date_range(model.ENROLMENT_START, model.ENROLMENT_END, freq="D")
_DATE_STRINGS = pa.array(_ENROLMENT_DAYS.strftime(DATE_FORMAT).tolist())
_EDUCATION_STRINGS = pa.array(EDUCATION_VOCABULARY)
_MARITAL_STRINGS = pa.array(MARITAL_VOCABULARY)
_SEGMENT_STRINGS = pa.array(model.SEGMENT_NAMES)
_RECENCY_FACTOR_MEAN = np.mean(
    np.exp(-model.RECENCY_RESPONSE_DECAY * np.arange(model.RECENCY_MAX + 1) / model.RECENCY_MAX)
)


class SyntheticChunk(NamedTuple):
    """Consecutive rows: the raw customer table and, row for row, the planted segments."""

    customers: pa.Table
    segments: pa.Table


@dataclass
class GenerationReport:
    """What ``write_synthetic`` wrote."""

    rows: int
    customers_path: Path
    segments_path: Path
    segment_counts: dict[str, int] = field(default_factory=dict)


def _categories(rng: np.random.Generator, probs: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """One category per row from its segment's probability row (inverse-CDF lookup)."""
    cdf = np.cumsum(probs, axis=1)
    cdf[:, -1] = 1.0  # guard against rounding: every draw lands in a category
    draws = rng.random(segment.size)
    return (draws[:, None] > cdf[segment]).sum(axis=1)


def _clean_block(rng: np.random.Generator, rows: int, first_row: int, id_offset: int) -> dict:
    """One block of clean customers as numpy columns (text columns as codes)."""
    par = _SEGMENT_PARAMS
    segment = rng.choice(len(model.SEGMENTS), size=rows, p=par["share"])
    education = _categories(rng, par["education_probs"], segment)
    factor = np.asarray(model.EDUCATION_INCOME_FACTOR)[education]
    income = rng.normal(par["income_mean"][segment], par["income_sd"][segment]) * factor
    income = np.clip(np.rint(income), model.INCOME_MIN, model.INCOME_MAX)
    birth = rng.normal(par["birth_year_mean"][segment], par["birth_year_sd"][segment])
    day = rng.integers(0, len(_ENROLMENT_DAYS), size=rows)
    tenure = 1.0 - day / (len(_ENROLMENT_DAYS) - 1)  # 1 = first enrolment day, 0 = last
    recency = rng.integers(0, model.RECENCY_MAX + 1, size=rows)
    relative_income = income / par["income_mean"][segment]

    spend_noise = rng.standard_normal(rows)
    log_spend = (
        np.log(par["spend_median"][segment])
        + model.SPEND_INCOME_ELASTICITY * np.log(relative_income)
        + model.TENURE_SPEND_SLOPE * (tenure - 0.5)
        + par["spend_log_sd"][segment] * spend_noise
    )
    total_spend = np.exp(log_spend)
    mix = rng.gamma(par["spend_mix"][segment] * model.SPEND_MIX_CONCENTRATION)
    mix /= mix.sum(axis=1, keepdims=True)
    spend = np.minimum(np.rint(total_spend[:, None] * mix), model.SPEND_CAPS).astype(np.int64)

    purchases = rng.poisson(
        model.PURCHASES_BASE + model.PURCHASES_PER_SQRT_SPEND * np.sqrt(total_spend)
    )
    web_share, catalog_share, _ = par["channel_probs"][segment].T
    web = rng.binomial(purchases, web_share)
    catalog = rng.binomial(purchases - web, catalog_share / (1.0 - web_share))
    store = purchases - web - catalog
    channels = np.minimum(np.stack([web, catalog, store], axis=1), model.CHANNEL_CAPS)
    extra_deals = np.maximum(par["deals_mean"][segment] - 1.0, 0.0)
    shape = model.DEALS_GAMMA_SHAPE
    deals = 1 + rng.poisson(rng.gamma(shape, extra_deals / shape))
    deals[rng.random(rows) < model.DEALS_ZERO_RATE] = 0
    # Deal purchases are some of the purchases (the cleaning rule purchase_consistency rejects
    # more deals than purchases), so a customer cannot have more of them than purchases in all.
    deals = np.minimum(deals, channels.sum(axis=1))
    visits = rng.poisson(
        par["web_visits_mean"][segment]
        * relative_income**model.WEB_VISITS_INCOME_ELASTICITY
        * np.exp(model.TENURE_VISITS_SLOPE * (tenure - 0.5))
    )

    # Mean-one multipliers keep each segment's acceptance rate while linking the answers.
    sd, slope = model.RESPONSIVENESS_LOG_SD, model.CAMPAIGN_SPEND_SLOPE
    propensity = np.exp(sd * rng.standard_normal(rows) - sd**2 / 2)
    propensity *= np.exp(slope * spend_noise - slope**2 / 2)
    accept = par["campaign_rates"][segment] * propensity[:, None]
    accepted = rng.random(accept.shape) < np.minimum(accept, model.MAX_ACCEPT_PROBABILITY)
    recency_factor = np.exp(-model.RECENCY_RESPONSE_DECAY * recency / model.RECENCY_MAX)
    respond = par["response_rate"][segment] * propensity * recency_factor / _RECENCY_FACTOR_MEAN
    response = rng.random(rows) < np.minimum(respond, model.MAX_ACCEPT_PROBABILITY)
    complain = rng.random(rows) < par["complain_rate"][segment]

    first_id = id_offset + (first_row + np.arange(rows)) * ID_STRIDE
    ids = rng.permutation(first_id + rng.integers(0, ID_STRIDE, size=rows))
    columns = {
        "ID": ids,
        "segment": segment,
        "Year_Birth": np.clip(np.rint(birth), model.BIRTH_YEAR_MIN, model.BIRTH_YEAR_MAX),
        "Education": education,
        "Marital_Status": _categories(rng, par["marital_probs"], segment),
        "Income": income,
        "Kidhome": _categories(rng, par["kidhome_probs"], segment),
        "Teenhome": _categories(rng, par["teenhome_probs"], segment),
        "Dt_Customer": day,
        "Recency": recency,
        "NumDealsPurchases": np.minimum(deals, model.DEALS_MAX),
        "NumWebVisitsMonth": np.minimum(visits, model.WEB_VISITS_MAX),
        "Complain": complain,
        "Response": response,
    }
    columns.update(zip(SPEND_COLUMNS, spend.T, strict=True))
    columns.update(zip(CHANNEL_COLUMNS, channels.T, strict=True))
    columns.update(zip(CAMPAIGN_COLUMNS, accepted.T, strict=True))
    return {name: np.ascontiguousarray(values, dtype=np.int64) for name, values in columns.items()}


def _to_arrow(columns: dict, missing_income: np.ndarray) -> SyntheticChunk:
    """Numpy columns to the raw table (exact column order and text) and the truth table."""
    arrays = {}
    for name in RAW_COLUMNS:
        if name in CONSTANT_COLUMNS:
            arrays[name] = pa.array(np.full(columns["ID"].size, CONSTANT_COLUMNS[name]))
        elif name == "Income":
            arrays[name] = pa.array(columns[name], mask=missing_income)
        elif name == "Education":
            arrays[name] = pc.take(_EDUCATION_STRINGS, columns[name])
        elif name == "Marital_Status":
            arrays[name] = pc.take(_MARITAL_STRINGS, columns[name])
        elif name == "Dt_Customer":
            arrays[name] = pc.take(_DATE_STRINGS, columns[name])
        else:
            arrays[name] = pa.array(columns[name])
    truth = pa.table({"ID": arrays["ID"], "segment": pc.take(_SEGMENT_STRINGS, columns["segment"])})
    return SyntheticChunk(pa.table(arrays), truth)


def _blocks(n_rows: int, seed: int, dirt: DirtSettings, id_offset: int) -> Iterator[SyntheticChunk]:
    for block, first_row in enumerate(range(0, n_rows, BLOCK_ROWS)):
        rows = min(BLOCK_ROWS, n_rows - first_row)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
        columns = _clean_block(rng, rows, first_row, id_offset)
        missing_income = apply_dirt(rng, columns, dirt)
        yield _to_arrow(columns, missing_income)


def generate_chunks(
    n_rows: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    dirt: DirtSettings | None = None,
    id_offset: int = 0,
) -> Iterator[SyntheticChunk]:
    """Yield the synthetic customers as Arrow chunks of ``chunk_size`` rows (the last may be short).

    Concatenated, the chunks are the same for every ``chunk_size``. ``id_offset`` shifts all IDs,
    so that separately generated files (e.g. new customers to score) do not collide.
    """
    if n_rows < 0 or chunk_size < 1:
        raise ValueError(f"n_rows must be >= 0 and chunk_size >= 1; got {n_rows}, {chunk_size}.")
    dirt = DirtSettings() if dirt is None else dirt
    pending: list[SyntheticChunk] = []
    pending_rows = 0
    for block in _blocks(n_rows, seed, dirt, id_offset):
        pending.append(block)
        pending_rows += block.customers.num_rows
        while pending_rows >= chunk_size:
            customers = pa.concat_tables([part.customers for part in pending])
            truth = pa.concat_tables([part.segments for part in pending])
            yield SyntheticChunk(customers.slice(0, chunk_size), truth.slice(0, chunk_size))
            pending = [SyntheticChunk(customers.slice(chunk_size), truth.slice(chunk_size))]
            pending_rows -= chunk_size
    if pending_rows:
        yield SyntheticChunk(
            pa.concat_tables([part.customers for part in pending]),
            pa.concat_tables([part.segments for part in pending]),
        )


def generate_frame(
    n_rows: int, seed: int, dirt: DirtSettings | None = None, id_offset: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All rows in memory as pandas frames ``(customers, segments)``, for small samples/tests."""
    chunks = list(generate_chunks(n_rows, seed, max(n_rows, 1), dirt, id_offset))
    if not chunks:
        empty = generate_frame(1, seed, dirt, id_offset)
        return empty[0].iloc[:0], empty[1].iloc[:0]
    return chunks[0].customers.to_pandas(), chunks[0].segments.to_pandas()


def default_segments_path(customers_path: str | Path) -> Path:
    """``customers.csv`` -> ``customers_segments.csv`` in the same folder."""
    path = Path(customers_path)
    return path.with_name(f"{path.stem}{TRUTH_SUFFIX}{path.suffix or '.csv'}")


def write_synthetic(
    customers_path: str | Path,
    n_rows: int,
    seed: int,
    *,
    segments_path: str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    dirt: DirtSettings | None = None,
    id_offset: int = 0,
) -> GenerationReport:
    """Stream ``n_rows`` customers to the raw file and their segments to the truth file.

    The raw file is tab-separated with CRLF line ends like the real one; the truth file is a
    plain comma-separated ``ID,segment`` file, one line per raw line in the same order.
    Memory stays bounded by ``max(chunk_size, BLOCK_ROWS)`` rows whatever ``n_rows`` is.
    """
    customers_path = Path(customers_path)
    segments_path = (
        default_segments_path(customers_path) if segments_path is None else Path(segments_path)
    )
    customers_path.parent.mkdir(parents=True, exist_ok=True)
    segments_path.parent.mkdir(parents=True, exist_ok=True)
    raw_options = pa_csv.WriteOptions(
        delimiter=DELIMITER, quoting_style="none", quoting_header="none"
    )
    truth_options = pa_csv.WriteOptions(quoting_style="none", quoting_header="none")
    counts = dict.fromkeys(model.SEGMENT_NAMES, 0)
    chunks = generate_chunks(n_rows, seed, chunk_size, dirt, id_offset)
    raw_schema, truth_schema = _schemas(seed, dirt, id_offset)
    with (
        customers_path.open("wb") as raw_file,
        pa_csv.CSVWriter(
            _LineEnds(raw_file, LINE_END), raw_schema, write_options=raw_options
        ) as raw_writer,
        pa_csv.CSVWriter(segments_path, truth_schema, write_options=truth_options) as truth_writer,
    ):
        for chunk in chunks:
            raw_writer.write_table(chunk.customers)
            truth_writer.write_table(chunk.segments)
            tallies = pc.value_counts(chunk.segments.column("segment")).to_pylist()
            for tally in tallies:
                counts[tally["values"]] += tally["counts"]
    return GenerationReport(n_rows, customers_path, segments_path, counts)


class _LineEnds(io.RawIOBase):
    """A binary file that writes every ``\\n`` as ``line_end``: pyarrow's CSV writer takes an
    ``eol`` option only from pyarrow 26, and mlflow (the tracking extra) caps pyarrow below it.
    Fields never hold a line break (no quoting), so every ``\\n`` ends a line."""

    def __init__(self, handle, line_end: str) -> None:
        super().__init__()
        self._handle = handle
        self._line_end = line_end.encode()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._handle.write(bytes(data).replace(b"\n", self._line_end))
        return len(data)


def _schemas(seed: int, dirt: DirtSettings | None, id_offset: int) -> tuple[pa.Schema, pa.Schema]:
    """Arrow schemas of both files (so even a zero-row file gets its header)."""
    sample = next(generate_chunks(1, seed, 1, dirt, id_offset))
    return sample.customers.schema, sample.segments.schema
