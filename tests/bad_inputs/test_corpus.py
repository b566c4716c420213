"""Every bad or odd raw file of the corpus (corpus.py) is refused clearly or runs cleanly.

Refused: an InputDataError in the exception chain whose message names the file and holds the
case's keywords, and nothing written into data/03_primary .. data/08_reporting. Clean: the run
succeeds, rows in = kept + rejected (and the rules' rejections add up), and the case's own check.
Cases the project does not handle yet are strict xfails: each turns red the day it is fixed.
"""

import pytest

from customer_segmentation.cli import input_problem
from tests.bad_inputs.corpus import CASES, GUARDED_LAYERS, RAW, Clean, files_under, quality, run


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def test_the_corpus_is_large_and_every_name_unique():
    names = [case.name for case in CASES]
    assert len(names) >= 45
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input(case, tmp_path):
    project, error = run(case, tmp_path)

    if isinstance(case.expect, Clean):
        assert error is None, f"{type(error).__name__}: {error}"
        found = quality(project)
        assert found["rows_in"] == found["rows_kept"] + found["rows_rejected"]
        assert sum(rule["rows_rejected"] for rule in found["rules"]) == found["rows_rejected"]
        if case.expect.check is not None:
            case.expect.check(project, found)
        return
    assert error is not None, "the run succeeded"
    problem = input_problem(error)
    assert problem is not None, f"not an InputDataError: {type(error).__name__}: {error}"
    message = str(problem).lower()
    expected = [*case.expect.keywords, *([RAW.name] if case.expect.names_file else [])]
    missing = [word for word in expected if word.lower() not in message]
    assert not missing, f"{missing} not in: {problem}"
    assert files_under(project, GUARDED_LAYERS) == {}, "a refused run wrote outputs"
