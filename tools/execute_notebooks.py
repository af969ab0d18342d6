"""Re-run chapter notebooks with papermill and store their outputs in place.

`make execute` runs every notebook on the CPU kernel at small scale (what the tests and the book use);
`make execute DEVICE=cuda SCALE=full` is the GPU reader's run. Each notebook's run time lands in its
metadata (papermill.duration) and in data/run_times.json, which the chapters quote.

A stored notebook (an in-place run) keeps no papermill ``injected-parameters`` cell: its own parameters
cell already holds the small CPU run (``DEVICE = "auto"`` is the CPU on the CPU kernel), and a leftover
injected cell would silently override a reader who edits that cell. Every cell gets a time limit
(``CELL_TIMEOUT``), so that a hanging cell fails the run quickly and by name.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import papermill

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMES = ROOT / "data" / "run_times.json"
# Seconds one cell may run before papermill stops it; the slowest small-run cell takes about a minute
# alone, a few on a busy 2-core machine. A GPU full run may need more: IRBOOK_CELL_TIMEOUT overrides it.
CELL_TIMEOUT = int(os.environ.get("IRBOOK_CELL_TIMEOUT", "900"))
# The kernel inherits this: no tqdm bars (transformers' "Loading weights") are stored in the outputs.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def strip_injected_parameters(path: Path) -> list[str]:
    """Remove papermill's ``injected-parameters`` cell from a stored notebook (and restore its kernel name,
    badge and install lines from ``_config.yml``): tools/sync_notebooks.py does it; return what changed."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import sync_notebooks

    return sync_notebooks.sync_file(path)


def execute(notebook: Path, device: str, scale: str, output: Path | None = None, timeout: int = CELL_TIMEOUT,
            **parameters) -> float:
    """Execute one notebook with papermill (parameters DEVICE, SCALE, plus any extra) and return seconds.

    Each cell may run ``timeout`` seconds. An in-place small CPU run with no extra parameters is the stored
    notebook's own defaults: its injected-parameters cell is removed afterwards (see the module's
    docstring); a copy, or any other run, keeps it so that the file says what it ran with.
    """
    env_backup = os.environ.get("CUDA_VISIBLE_DEVICES")
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # the CPU kernel hides any GPU, as irbook-cpu does
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output or notebook),
            parameters={"DEVICE": device, "SCALE": scale, **parameters},
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
        )
        in_place = output is None or Path(output).resolve() == Path(notebook).resolve()
        if in_place and device in ("cpu", "auto") and scale == "small" and not parameters:
            strip_injected_parameters(Path(notebook))
    finally:
        if env_backup is None:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = env_backup
    return time.perf_counter() - started


def record_run_time(notebook: Path, device: str, scale: str, seconds: float) -> None:
    """Keep the measured run time per notebook, device and scale (the chapters and README quote these)."""
    times = json.loads(RUN_TIMES.read_text()) if RUN_TIMES.exists() else {}
    times.setdefault(notebook.stem, {})[f"{device}/{scale}"] = round(seconds, 1)
    RUN_TIMES.parent.mkdir(parents=True, exist_ok=True)
    RUN_TIMES.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")


def refresh_run_time_cell(notebook: Path) -> bool:
    """Rewrite the stored output of the header's ``run-time`` cell from data/run_times.json.

    The cell runs at the start of the notebook, before this run's time is recorded, so its output would
    always name the previous run; after recording, the stored line is set to what ``run_time_note`` now
    says. Returns whether the notebook had such a cell.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from irbook.runtime import run_time_note

    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "run-time" in c.get("metadata", {}).get("tags", [])]
    for cell in cells:
        text = run_time_note(notebook.stem, RUN_TIMES) + "\n"
        cell["outputs"] = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    if cells:
        nbformat.write(nb, notebook)
    return bool(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--scale", default="small", choices=["small", "full"])
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="write executed copies here instead of in place; a full-scale run defaults to "
                             "_build/<device>-full/, since the stored notebooks (what the book and nbval read) "
                             "are the small CPU run")
    args = parser.parse_args(argv)
    if args.output_dir is None and args.scale != "small":
        args.output_dir = ROOT / "_build" / f"{args.device}-{args.scale}"
        print(f"full-scale run: executed notebooks go to {args.output_dir}", flush=True)
    for notebook in args.notebooks:
        output = args.output_dir / notebook.name if args.output_dir else None
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
        seconds = execute(notebook, args.device, args.scale, output)
        record_run_time(notebook, args.device, args.scale, seconds)
        if output is None:
            refresh_run_time_cell(notebook)
        print(f"{notebook.name}: {seconds:.1f} s ({args.device}, {args.scale})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
