#!/usr/bin/env python
"""Install the book's two Jupyter kernels: ``make kernels`` runs this.

- ``irbook-cpu``: the book's Python with every GPU hidden (``CUDA_VISIBLE_DEVICES=""``), so that
  ``DEVICE="auto"`` means the CPU, as in the stored outputs;
- ``irbook-gpu``: the same Python, GPUs visible, for ``DEVICE="cuda"`` runs.

Both point to the interpreter that runs this script (the book's ``.venv``). Kernels go to the
user's Jupyter folder (``--user``, the default) or into the environment (``--sys-prefix``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

KERNELS = (
    ("irbook-cpu", "Python (irbook, CPU)", {"CUDA_VISIBLE_DEVICES": ""}),
    ("irbook-gpu", "Python (irbook, GPU)", {}),
)


def install(name: str, display_name: str, env: dict[str, str], where: str) -> Path:
    """Run ``ipykernel install`` for one kernel and return the folder of its kernel.json."""
    command = [sys.executable, "-m", "ipykernel", "install", where, "--name", name, "--display-name", display_name]
    for key, value in env.items():
        command += ["--env", key, value]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"install_kernels: `{' '.join(command)}` failed:\n{result.stderr.strip()}")
    # ipykernel prints "Installed kernelspec NAME in PATH".
    return Path(result.stdout.strip().rsplit(" in ", 1)[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sys-prefix", action="store_true", help="install into this environment instead of the user's folder")
    args = parser.parse_args(argv)
    where = "--sys-prefix" if args.sys_prefix else "--user"
    for name, display_name, env in KERNELS:
        folder = install(name, display_name, env, where)
        spec = json.loads((folder / "kernel.json").read_text())
        shown_env = ", ".join(f'{k}="{v}"' for k, v in spec.get("env", {}).items()) or "no extra environment"
        print(f"install_kernels: {name!r} ({display_name}) -> {folder}")
        print(f"    runs {spec['argv'][0]}; {shown_env}")
    print("install_kernels: choose them in JupyterLab under Kernel > Change Kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
