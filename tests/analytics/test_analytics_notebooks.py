"""The analytics notebooks run top to bottom on generated call logs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from analytics.bulk import BulkConfig, write_bulk
from analytics.parquet_store import ParquetStore

NOTEBOOKS = Path(__file__).resolve().parents[2] / "analytics" / "notebooks"
NAMES = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))


def test_the_notebooks_are_found():
    assert {"call_volume_and_outcomes", "agent_performance", "knowledge_gaps"} <= set(NAMES)


@pytest.fixture(scope="module")
def parquet_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notebook-parquet")
    write_bulk(ParquetStore(str(root)), BulkConfig(turn_rows=20_000, companies=4, days=5))
    return root


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_generated_data(
    name: str, parquet_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIENTSVIA_PARQUET_ROOT", str(parquet_root))
    monkeypatch.setenv("CLIENTSVIA_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    # kernel "python3" starts `python -m ipykernel_launcher`, and jupyter_client runs a bare
    # `python` as sys.executable: the venv's interpreter, whatever is on PATH.
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError when any cell fails
    assert list((tmp_path / "figures").glob("*.png"))
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "4 companies with call logs" in printed
