"""Tests of irbook.setup and irbook.runtime: validation, quiet libraries, display options, run-time notes."""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest

import irbook
from irbook import runtime


def test_setup_resolves_seeds_and_sets_display_options():
    settings = irbook.setup("auto", "small", 3)
    assert settings == runtime.Settings(device="cpu" if not _cuda() else "cuda", scale="small", seed=3)
    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    assert pd.get_option("display.max_colwidth") is None and pd.get_option("display.max_columns") is None
    import plotly.io as pio

    assert pio.templates.default == "irbook"


def test_setup_rejects_bad_arguments_with_clear_errors():
    with pytest.raises(ValueError, match="SCALE must be 'small' or 'full', got 'huge'"):
        irbook.setup("cpu", "huge", 0)
    with pytest.raises(ValueError, match="device must be"):
        irbook.setup("tpu", "small", 0)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        irbook.setup("cpu", "small", -1)
    with pytest.raises(TypeError, match="device must be a str"):
        irbook.setup(0, "small", 0)


def test_run_time_note_reads_the_recorded_times(tmp_path):
    path = tmp_path / "run_times.json"
    path.write_text(json.dumps({"13_t_retrievability": {"cpu/small": 24.1, "cuda/full": 300.0}}))
    note = runtime.run_time_note("13_t_retrievability", path)
    assert note == "Run time: 24 s (small scale on CPU); 5.0 min (full scale on a GPU)."
    assert "not recorded" in runtime.run_time_note("99_new", path)
    assert runtime.run_time_note("13_t_retrievability").startswith("Run time: ")  # the repository's file


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_floats_show_four_significant_digits_without_scientific_notation():
    assert [runtime.format_float(x) for x in (0.123456, 123.456, 1234.5, 12345.6, 0.0, 2e-05, -0.5)] == [
        "0.1235", "123.5", "1234", "12,346", "0", "2e-05", "-0.5"]
    irbook.setup("cpu", "small", 0)
    frame = pd.DataFrame({"text": ["word " * 40], "score": [0.123456]})
    html = frame.to_html()
    assert "..." not in html and "0.1235" in html
