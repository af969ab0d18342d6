"""The data-set registry: what the book knows about each set, where its files come from, how they are found.

Every file of every set is pinned by URL (a GitHub commit), size and SHA-256. :func:`data_path` finds a file in
three places, in this order:

1. ``$IRBOOK_DATA/<set>/<file>``: a read-only mirror (the book's CI and offline machines use one);
2. the user cache, ``irbook.cache.cache_dir("data", <set>)/<file>``;
3. a download from the pinned URL, streamed to a temporary file whose checksum is verified *before* it is renamed
   into the cache, so an interrupted or corrupted download never lands there.

Every file is checksummed before it is trusted (memoised per ``(path, size, mtime, inode)``, so repeat loads
are free). Set ``IRBOOK_OFFLINE=1`` to forbid downloads.

A set enters the registry through :func:`register` (its :class:`DatasetInfo` and, optionally, a loader that
:func:`load` calls). The text sets register in :mod:`irbook.data.loaders`; modules outside the data layer register
their own sets when they are imported (the image and video sets in :mod:`irbook.vision.media`). So that
``load("coco-mini")`` works before anyone imported vision, the package root declares which module provides each
such set (``irbook.DATA_PROVIDERS``) and :func:`dataset_info` imports that module on first use: this module names
no other layer of the package.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import importlib
import os
import shutil
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from irbook.cache import atomic_path, cache_dir, sha256_file

__all__ = [
    "RemoteFile", "DatasetInfo", "github_files", "REGISTRY", "register", "registered_names", "DataNotFoundError", "ChecksumError",
    "dataset_info", "data_path", "fetch_dataset", "fetch_url", "verify_file", "load",
]

class DataNotFoundError(FileNotFoundError):
    """A data file is in no mirror, no cache, and could not be downloaded.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """


class ChecksumError(ValueError):
    """A data file's size or SHA-256 differs from the registry's: corrupt, partial, or changed upstream.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """


@dataclass(frozen=True)
class RemoteFile:
    """One file of a data set: its name inside the set's folder, its pinned public URL, SHA-256 and size in bytes.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    local_name: str
    url: str
    sha256: str
    size: int


@dataclass(frozen=True)
class DatasetInfo:
    """What the book knows about a data set: its files, licence, citation and homepage.

    ``citation`` is a short human-readable reference; ``bibtex_key`` the key used in the book's bibliography;
    ``source`` the GitHub repository and commit the files are pinned to.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    name: str
    description: str
    files: tuple[RemoteFile, ...]
    licence: str
    citation: str
    homepage: str
    bibtex_key: str = ""
    source: str = ""

    def file(self, local_name: str) -> RemoteFile:
        """The :class:`RemoteFile` called ``local_name``; a clear error lists the set's files otherwise.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        for remote in self.files:
            if remote.local_name == local_name:
                return remote
        known = ", ".join(f.local_name for f in self.files)
        raise ValueError(f"data set {self.name!r} has no file {local_name!r}; its files are: {known}")

    @property
    def file_names(self) -> tuple[str, ...]:
        """The local names of the set's files.

        Introduced in chapter 1 (:doc:`01_rag_map`).
        """
        return tuple(f.local_name for f in self.files)


def github_files(repo: str, commit: str, entries: list[tuple[str, str, str, int]]) -> tuple[RemoteFile, ...]:
    """Build RemoteFiles from (local name, path upstream, sha256, size) at one pinned commit.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    base = f"https://raw.githubusercontent.com/{repo}/{commit}/"
    return tuple(RemoteFile(local, base + upstream, sha, size) for local, upstream, sha, size in entries)


REGISTRY: dict[str, DatasetInfo] = {}
"""Every registered data set by name (filled by :func:`register`)."""

_LOADERS: dict[str, Callable[..., Any]] = {}


def _providers() -> dict[str, str]:
    """Set name -> module that registers it on import, as the package root declares them (``DATA_PROVIDERS``).

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    import irbook  # the package root: always imported already, and it imports nothing from irbook.data

    return dict(getattr(irbook, "DATA_PROVIDERS", {}))


def register(info: DatasetInfo, loader: Callable[..., Any] | None = None, replace: bool = False) -> DatasetInfo:
    """Add a data set to :data:`REGISTRY` so that :func:`data_path` can find, verify and fetch its files.

    Parameters
    ----------
    info : DatasetInfo
        The set's name, files, licence and citation.
    loader : callable, optional
        What :func:`load` calls for this set (its keyword arguments are passed through).
    replace : bool
        A name already registered with a different entry raises ``ValueError`` unless this is true.

    Returns
    -------
    DatasetInfo
        ``info``, now in the registry.

    Introduced in chapter 1 (:doc:`01_rag_map`); other modules (:mod:`irbook.vision.media`) register their sets
    through it when they are imported.
    """
    if not isinstance(info, DatasetInfo):
        raise TypeError(f"register() takes a DatasetInfo, got {type(info).__name__}")
    if loader is not None and not callable(loader):
        raise TypeError(f"register(loader=...) takes a callable, got {type(loader).__name__}")
    known = REGISTRY.get(info.name)
    if known is not None and known != info and not replace:
        raise ValueError(f"data set {info.name!r} is already registered with other files; pass replace=True")
    REGISTRY[info.name] = info
    if loader is not None:
        _LOADERS[info.name] = loader
    return info


def registered_names() -> list[str]:
    """The names :func:`dataset_info` and :func:`load` accept, sorted: registered sets and declared providers.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return sorted(set(REGISTRY) | set(_providers()))


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry of data set ``name``; an unknown name raises ``ValueError`` listing the known ones.

    A set declared in ``irbook.DATA_PROVIDERS`` is registered by importing its module on first use.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    if not isinstance(name, str):
        raise TypeError(f"a data set name is a str, got {type(name).__name__}")
    if name not in REGISTRY:
        provider = _providers().get(name)
        if provider is not None:
            importlib.import_module(provider)
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown data set {name!r}; known data sets: {', '.join(registered_names())}") from None


def load(name: str, **kwargs: Any) -> Any:
    """Load data set ``name`` with its registered loader (``split=``, ``domain=`` as that loader takes them).

    Parameters
    ----------
    name : str
        A registered set (see :func:`registered_names`), e.g. ``"hotpotqa-100"`` or ``"coco-mini"``.
    **kwargs
        Passed to the set's loader.

    Returns
    -------
    object
        What the loader returns (a :class:`~irbook.data.RetrievalDataset`, a DataFrame, a list of records).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    dataset_info(name)  # one clear error for unknown names, and the provider imported if needed
    try:
        loader = _LOADERS[name]
    except KeyError:
        with_loader = ", ".join(sorted(_LOADERS))
        raise ValueError(f"data set {name!r} is registered without a loader; use data_path() or fetch_dataset() "
                         f"for its files. Sets with a loader: {with_loader}") from None
    return loader(**kwargs)


# (resolved path, size, mtime_ns, inode) -> sha256 seen: a file unchanged on disk is hashed once per process.
_VERIFIED: dict[tuple[str, int, int, int], str] = {}


def verify_file(path: str | os.PathLike, remote: RemoteFile) -> bool:
    """Whether the file at ``path`` has ``remote``'s size and SHA-256 (hash memoised while the file is unchanged).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    path = Path(path)
    stat = path.stat()
    if stat.st_size != remote.size:  # cheap test first: a truncated file is never hashed
        return False
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    digest = _VERIFIED.get(key)
    if digest is None:
        digest = sha256_file(path)
        _VERIFIED[key] = digest
    return digest == remote.sha256


def fetch_url(url: str, dest: Path, timeout: float = 60.0) -> None:
    """Stream ``url`` into the file ``dest`` (urllib: https and file:// alike). Tests replace this function.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    request = urllib.request.Request(url, headers={"User-Agent": "irbook-data/0.1"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)


def _offline() -> bool:
    """Whether ``IRBOOK_OFFLINE`` forbids downloads.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return os.environ.get("IRBOOK_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _download(remote: RemoteFile, target: Path) -> Path:
    """Download ``remote`` to ``target`` through a temporary file, verified before the rename.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    with atomic_path(target) as tmp:
        fetch_url(remote.url, tmp)
        if not verify_file(tmp, remote):
            got = tmp.stat().st_size
            raise ChecksumError(
                f"download of {remote.url} does not match the registry (got {got} bytes, expected {remote.size}; "
                f"expected sha256 {remote.sha256}). The download was discarded; nothing was written to {target}."
            )
    return target


def _not_found_message(name: str, remote: RemoteFile, problems: list[str]) -> str:
    """The DataNotFoundError text: the set, the file, its URL, the two ways to get it and what was tried.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    lines = [
        f"data set {name!r}: file {remote.local_name!r} is not available on this machine.",
        f"  URL: {remote.url}",
        "  Get it in one of two ways:",
        f"    1. set IRBOOK_DATA to a mirror folder that holds {name}/{remote.local_name}, or",
        f"    2. run once with network access (and IRBOOK_OFFLINE unset): it is downloaded to "
        f"{cache_dir('data', name)}.",
    ]
    if problems:
        lines.append("  What was tried:")
        lines += [f"    - {p}" for p in problems]
    return "\n".join(lines)


def data_path(name: str, filename: str) -> Path:
    """Path of a verified local copy of ``filename`` from data set ``name``.

    Looks in ``$IRBOOK_DATA/<name>/``, then the user cache, then downloads (checksum verified before the
    atomic rename into the cache). A corrupt cache file is deleted and fetched again; a corrupt mirror file is
    reported (the mirror is read-only) and the next source tried. Raises :class:`DataNotFoundError` when no
    source has the file, :class:`ChecksumError` when the download itself does not match.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    info = dataset_info(name)
    remote = info.file(filename)
    problems: list[str] = []

    mirror = os.environ.get("IRBOOK_DATA")
    if mirror:
        candidate = Path(mirror) / name / filename
        if candidate.is_file():
            if verify_file(candidate, remote):
                return candidate
            message = (f"{candidate} (from IRBOOK_DATA) fails its checksum (expected {remote.size} bytes, "
                       f"sha256 {remote.sha256}); it was left untouched and ignored")
            warnings.warn(message, stacklevel=2)
            problems.append(message)
        else:
            problems.append(f"not in IRBOOK_DATA ({candidate})")
    else:
        problems.append("IRBOOK_DATA is not set")

    cached = cache_dir("data", name) / filename
    if cached.is_file():
        if verify_file(cached, remote):
            return cached
        warnings.warn(f"{cached} in the cache fails its checksum; deleting it and fetching it again", stacklevel=2)
        cached.unlink()
        problems.append(f"the cached copy {cached} was corrupt and was deleted")
    else:
        problems.append(f"not in the cache ({cached})")

    if _offline():
        problems.append("downloads are disabled (IRBOOK_OFFLINE is set)")
        raise DataNotFoundError(_not_found_message(name, remote, problems))
    try:
        return _download(remote, cached)
    except ChecksumError:
        raise
    except OSError as error:  # urllib.error.URLError, timeouts and connection resets are OSErrors
        problems.append(f"download failed: {error}")
        raise DataNotFoundError(_not_found_message(name, remote, problems)) from error


def fetch_dataset(name: str) -> dict[str, Path]:
    """Make every file of data set ``name`` available locally (e.g. before going offline); local name -> path.

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """
    return {f.local_name: data_path(name, f.local_name) for f in dataset_info(name).files}
