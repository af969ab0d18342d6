"""Test-wide settings: offline hub, the data mirror beside the checkout, and a CPU-only kernel."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A hub lookup otherwise hangs for over a minute before failing; everything the tests load is local.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
# Notebooks under test run on the CPU kernel, as the book's small run does.
os.environ["CUDA_VISIBLE_DEVICES"] = ""
_mirror = ROOT.parent / "shared" / "data"
if "IRBOOK_DATA" not in os.environ and _mirror.is_dir():
    os.environ["IRBOOK_DATA"] = str(_mirror)
