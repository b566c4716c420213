"""Every bad or odd raw file of the corpus (corpus.py) is refused clearly or runs cleanly.

Refused: an InputDataError in the exception chain whose message names the file and holds the
case's keywords, and layers 03..08 exactly as before the run. Clean: the run succeeds, rows in =
kept + rejected (and the rules' rejections add up to it), and the case's own check holds.
Cases the project does not handle yet are strict xfails: each turns red the day it is fixed.
"""

from pathlib import Path

import pytest

from customer_segmentation.cli import input_problem
from tests.bad_inputs.corpus import (
    CASES,
    DEFAULT_BYTES,
    GUARDED_LAYERS,
    RAW,
    Case,
    Clean,
    Ran,
    files_under,
    quality,
    run,
)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A project copy on which data_processing ran on the unchanged default file."""
    unchanged = Case("default", lambda: DEFAULT_BYTES, Clean())
    project, error, _ = run(unchanged, tmp_path_factory.mktemp("baseline"))
    assert error is None, error
    return project


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def test_the_corpus_is_large_and_every_name_unique():
    names = [case.name for case in CASES]
    assert len(names) >= 45
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input(case, tmp_path, baseline):
    project, error, before = run(case, tmp_path)

    if isinstance(case.expect, Clean):
        assert error is None, f"{type(error).__name__}: {error}"
        found = quality(project)
        assert found["rows_in"] == found["rows_kept"] + found["rows_rejected"]
        assert sum(rule["rows_rejected"] for rule in found["rules"]) == found["rows_rejected"]
        if case.expect.check is not None:
            case.expect.check(Ran(project, baseline))
        return
    assert error is not None, "the run succeeded"
    problem = input_problem(error)
    assert problem is not None, f"not an InputDataError: {type(error).__name__}: {error}"
    expected = [*case.expect.keywords, *([RAW.name] if case.expect.names_file else [])]
    missing = [word for word in expected if word.lower() not in str(problem).lower()]
    assert not missing, f"{missing} not in: {problem}"
    assert files_under(project, GUARDED_LAYERS) == before, "a refused run wrote outputs"
