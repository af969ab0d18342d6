#!/usr/bin/env python
"""Install the book's two Jupyter kernels: ``make kernels`` runs this.

- ``irbook-cpu``: the book's Python with every GPU hidden (``CUDA_VISIBLE_DEVICES=""``), so that
  ``DEVICE="auto"`` means the CPU, as in the stored outputs;
- ``irbook-gpu``: the same Python, GPUs visible, for ``DEVICE="cuda"`` runs.

Both point to the interpreter that runs this script (the book's ``.venv``) and carry the environment
the tests run with (``kernel_environment``): ``HF_HUB_OFFLINE=1``, no progress bars, ``IRBOOK_DATA`` when the data mirror
``../shared/data`` sits beside the checkout (or ``IRBOOK_DATA`` is set), and ``IRBOOK_CACHE`` when set,
so that a notebook opened in JupyterLab finds the same data and models as ``make test``. Kernels go to
the user's Jupyter folder (``--user``, the default), into the environment (``--sys-prefix``) or under
``--prefix DIR``. The notebooks name ``irbook-cpu`` in their metadata.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELS = (
    ("irbook-cpu", "Python 3 (irbook, CPU)", {"CUDA_VISIBLE_DEVICES": ""}),
    ("irbook-gpu", "Python 3 (irbook, GPU)", {}),
)


def kernel_environment(environ: dict[str, str] | None = None, root: Path = ROOT) -> dict[str, str]:
    """The variables every kernel gets, as the Makefile and tests/conftest.py set them for the tests."""
    environ = os.environ if environ is None else environ
    env = {"HF_HUB_OFFLINE": environ.get("HF_HUB_OFFLINE", "1"), "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    mirror = root.parent / "shared" / "data"
    if environ.get("IRBOOK_DATA"):
        env["IRBOOK_DATA"] = str(Path(environ["IRBOOK_DATA"]).resolve())
    elif mirror.is_dir():
        env["IRBOOK_DATA"] = str(mirror.resolve())
    if environ.get("IRBOOK_CACHE"):
        env["IRBOOK_CACHE"] = str(Path(environ["IRBOOK_CACHE"]).resolve())
    return env


def install(name: str, display_name: str, env: dict[str, str], where: list[str]) -> Path:
    """Run ``ipykernel install`` for one kernel and return the folder of its kernel.json."""
    command = [sys.executable, "-m", "ipykernel", "install", *where, "--name", name, "--display-name", display_name]
    for key, value in env.items():
        command += ["--env", key, value]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"install_kernels: `{' '.join(command)}` failed:\n{result.stderr.strip()}")
    # ipykernel prints "Installed kernelspec NAME in PATH".
    return Path(result.stdout.strip().rsplit(" in ", 1)[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sys-prefix", action="store_true", help="install into this environment instead of the user's folder")
    group.add_argument("--prefix", type=Path, help="install under this prefix (kernels in PREFIX/share/jupyter/kernels)")
    args = parser.parse_args(argv)
    where = ["--prefix", str(args.prefix)] if args.prefix else ["--sys-prefix"] if args.sys_prefix else ["--user"]
    shared = kernel_environment()
    for name, display_name, env in KERNELS:
        folder = install(name, display_name, {**shared, **env}, where)
        spec = json.loads((folder / "kernel.json").read_text())
        shown_env = ", ".join(f'{k}="{v}"' for k, v in spec.get("env", {}).items()) or "no extra environment"
        print(f"install_kernels: {name!r} ({display_name}) -> {folder}")
        print(f"    runs {spec['argv'][0]}; {shown_env}")
    print("install_kernels: choose them in JupyterLab under Kernel > Change Kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
