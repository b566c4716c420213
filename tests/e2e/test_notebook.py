"""The walkthrough notebook runs against a finished project and is committed without outputs."""

import shutil

import nbformat
from nbclient import NotebookClient

from tests.project_copy import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "walkthrough.ipynb"
CELL_TIMEOUT_S = 300


def test_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(not cell.outputs and cell.execution_count is None for cell in code_cells)


def test_notebook_runs_on_the_catalog_of_a_finished_run(full_run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(full_run, project, symlinks=True)
    (project / "notebooks").mkdir(exist_ok=True)
    notebook = nbformat.read(NOTEBOOK, as_version=4)

    NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(project / "notebooks")}},
    ).execute()

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    assert (project / "data/current/07_model_output/new_customer_segments.csv").exists()
