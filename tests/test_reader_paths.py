"""The reader's paths outside the rendered book: JupyterLab (kernels from `make kernels`) and Colab.

- A stored notebook keeps no papermill `injected-parameters` cell, so a reader's edit of the parameters
  cell takes effect; a notebook with an edited parameters cell, run through the `irbook-cpu` kernel
  the way JupyterLab starts it (from its kernel.json, found on JUPYTER_PATH), prints the edited values.
- `make kernels` (tools/install_kernels.py) writes the tests' environment into kernel.json, and the
  notebooks name that kernel.
- Every notebook's Colab badge and install cell agree with `repository: url:` in _config.yml
  (tools/sync_notebooks.py writes them); the badge is a local image; apt-get update precedes install.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9A]*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import sync_notebooks  # noqa: E402


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_has_no_injected_parameters_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in _tags(c)]
    assert not injected, (f"{path.name} cell {injected}: papermill's injected-parameters cell would override a "
                          "reader's edit of the parameters cell; run tools/sync_notebooks.py")


def test_execute_notebooks_strips_the_injected_cell_of_a_stored_run(tmp_path):
    """tools/execute_notebooks.py's in-place run ends with tools/sync_notebooks.py's cleanup."""
    import execute_notebooks

    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    injected = nbformat.v4.new_code_cell('# Parameters\nDEVICE = "cpu"\nSCALE = "small"\n',
                                         metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(2, injected)
    path = tmp_path / NOTEBOOKS[0].name
    nbformat.write(notebook, path)
    changes = execute_notebooks.strip_injected_parameters(path)
    assert "removed the injected-parameters cell" in changes
    assert not [c for c in nbformat.read(path, as_version=4).cells if "injected-parameters" in _tags(c)]


def test_header_run_time_is_the_run_just_recorded(tmp_path, monkeypatch):
    """The run-time cell executes before its run is timed; the tool rewrites its output afterwards."""
    import execute_notebooks

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'from irbook.runtime import run_time_note\nprint(run_time_note("99_demo"))',
        metadata={"tags": ["run-time", "remove-input"]},
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="Run time: 12 s (small scale on CPU).\n")])])
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setattr(execute_notebooks, "RUN_TIMES", tmp_path / "run_times.json")
    execute_notebooks.record_run_time(path, "cpu", "small", 47.4)
    assert execute_notebooks.refresh_run_time_cell(path)
    (cell,) = nbformat.read(path, as_version=4).cells
    assert cell.outputs[0]["text"] == "Run time: 47 s (small scale on CPU).\n"


# ----------------------------------------------------------------------------- kernels
def _install_kernels(prefix: Path, env: dict) -> Path:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "install_kernels.py"), "--prefix", str(prefix)],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return prefix / "share" / "jupyter"


def test_make_kernels_writes_the_test_environment(tmp_path, monkeypatch):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("IRBOOK_DATA", "HF_HUB_OFFLINE", "IRBOOK_CACHE")}
    env["IRBOOK_CACHE"] = str(tmp_path / "cache")
    mirror = ROOT.parent / "shared" / "data"
    jupyter = _install_kernels(tmp_path / "prefix", env)
    cpu = json.loads((jupyter / "kernels" / "irbook-cpu" / "kernel.json").read_text())
    gpu = json.loads((jupyter / "kernels" / "irbook-gpu" / "kernel.json").read_text())
    assert cpu["display_name"] == "Python 3 (irbook, CPU)" and cpu["argv"][0] == sys.executable
    for spec in (cpu, gpu):
        assert spec["env"]["HF_HUB_OFFLINE"] == "1"
        assert spec["env"]["IRBOOK_CACHE"] == str((tmp_path / "cache").resolve())
        if mirror.is_dir():
            assert spec["env"]["IRBOOK_DATA"] == str(mirror.resolve())
        else:
            assert "IRBOOK_DATA" not in spec["env"]
    assert cpu["env"]["CUDA_VISIBLE_DEVICES"] == "" and "CUDA_VISIBLE_DEVICES" not in gpu["env"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_names_the_irbook_cpu_kernel(path):
    spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    assert spec == {"display_name": "Python 3 (irbook, CPU)", "language": "python", "name": "irbook-cpu"}


def test_edited_parameters_take_effect_in_the_irbook_cpu_kernel(tmp_path, monkeypatch):
    """A reader edits chapter 1's parameters cell and runs it in JupyterLab's irbook-cpu kernel.

    The kernel is found and started from its kernel.json as Lab does (nbclient picks the kernel named
    in the notebook's metadata); the parent environment lacks HF_HUB_OFFLINE and IRBOOK_DATA, so the
    values the kernel prints come from kernel.json.
    """
    import os

    from nbclient import NotebookClient

    jupyter = _install_kernels(tmp_path / "prefix", dict(os.environ))
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.delenv("IRBOOK_DATA", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))

    stored = nbformat.read(ROOT / "notebooks" / "01_rag_map.ipynb", as_version=4)
    params = next(c for c in stored.cells if "parameters" in _tags(c))
    edited = re.sub(r'^SCALE = "small"', 'SCALE = "full"', params.source, count=1, flags=re.M)
    edited = re.sub(r"^SEED = 0\b", "SEED = 7", edited, count=1, flags=re.M)
    assert re.search(r'^SCALE = "full"', edited, re.M) and "SEED = 7" in edited
    probe = ("import os\nfrom irbook import runtime\n"
             "print('device', runtime.resolve_device(DEVICE))\nprint('scale', runtime.check_scale(SCALE))\n"
             "print('seed', SEED)\n"
             "print('env', os.environ.get('HF_HUB_OFFLINE'), os.environ.get('IRBOOK_DATA'), "
             "repr(os.environ.get('CUDA_VISIBLE_DEVICES')))")
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": dict(stored.metadata["kernelspec"])})
    notebook.cells = [nbformat.v4.new_code_cell(edited, metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell(probe)]
    NotebookClient(notebook, timeout=120, kernel_name="", resources={"metadata": {"path": str(tmp_path)}}).execute()

    printed = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    assert "device cpu" in printed, printed   # DEVICE="auto" is the CPU in irbook-cpu, which hides GPUs
    assert "scale full" in printed and "seed 7" in printed, printed
    mirror = ROOT.parent / "shared" / "data"
    expected_data = str(mirror.resolve()) if mirror.is_dir() else "None"
    assert f"env 1 {expected_data} ''" in printed, printed


# ----------------------------------------------------------------------------- Colab
def test_notebooks_agree_with_the_repository_setting():
    stale = sync_notebooks.sync_all(check_only=True)
    assert not stale, f"run `python tools/sync_notebooks.py` (or `make book`): {stale}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_badge_and_install_cell(path):
    url = sync_notebooks.repository_url()
    notebook = nbformat.read(path, as_version=4)
    title = notebook.cells[0].source
    badge = re.search(r"\[!\[Open In Colab\]\(([^)]*)\)\]\(([^)]*)\)", title)
    assert badge, "the title cell has an Open in Colab badge"
    image, link = badge.groups()
    assert not re.match(r"(https?:)?//", image), f"the badge image is fetched from the network: {image}"
    assert (path.parent / image).resolve().is_file(), f"the badge image {image} is missing"
    assert link == (f"https://colab.research.google.com/github/{url.removeprefix('https://github.com/')}"
                    f"/blob/main/notebooks/{path.name}")
    install = notebook.cells[sync_notebooks.install_cell_index(notebook.cells)].source
    assert 'if "google.colab" in sys.modules:' in install
    assert re.search(rf'%pip install -q "irbook(\[[a-z,]+\])? @ git\+{re.escape(url)}"', install), install
    lines = [line.strip() for line in install.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("!apt-get") and " install " in line:
            assert i > 0 and lines[i - 1].startswith("!apt-get -qq update"), "apt-get update before install"


def test_sync_rewrites_the_url_everywhere(tmp_path):
    notebook = nbformat.read(NOTEBOOKS[-1], as_version=4)
    changes = sync_notebooks.sync_notebook(notebook, NOTEBOOKS[-1].stem, "https://github.com/someone/book")
    assert "Colab badge" in changes and "Colab install lines" in changes
    text = nbformat.writes(notebook)
    assert "github.com/irbook/irbook" not in text and "github/someone/book/blob/main/notebooks/" in text


# ----------------------------------------------------------------------------- no hangs
def test_a_hanging_cell_fails_fast_and_is_named(tmp_path):
    """tools/execute_notebooks.py gives every cell a time limit (CELL_TIMEOUT; here 3 s)."""
    import time

    import execute_notebooks

    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": dict(sync_notebooks.KERNELSPEC)})
    notebook.cells = [nbformat.v4.new_code_cell('DEVICE = "auto"\nSCALE = "small"', metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("import time\ntime.sleep(120)  # the hanging cell")]
    path = tmp_path / "hang.ipynb"
    nbformat.write(notebook, path)
    started = time.perf_counter()
    with pytest.raises(Exception) as raised:
        execute_notebooks.execute(path, "cpu", "small", output=tmp_path / "out.ipynb", timeout=3)
    assert time.perf_counter() - started < 60
    assert "timed out" in str(raised.value) and "time.sleep(120)" in str(raised.value), str(raised.value)


def test_readme_run_times_are_the_recorded_ones(tmp_path):
    """The README's run-time table is generated from data/run_times.json, never typed by hand."""
    import execute_notebooks

    copy = tmp_path / "README.md"
    copy.write_text((ROOT / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert execute_notebooks.refresh_readme_table(copy) == (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README.md's run-time table differs from data/run_times.json: run tools/execute_notebooks.py, or "
        "python -c 'import execute_notebooks as e; e.refresh_readme_table()' from tools/")
