"""Where ``irbook`` keeps what it makes once and reuses (downloads, converted models, embeddings),
and how it writes there: atomically, so that an interrupted run never leaves a half-written file
that a later run would trust.

Introduced in chapter 1 (:doc:`01_rag_map`).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def cache_dir(*parts: str) -> Path:
    """The user cache (``$IRBOOK_CACHE``, else ``~/.cache/irbook``), joined with ``parts`` and created."""
    root = Path(os.environ.get("IRBOOK_CACHE") or Path.home() / ".cache" / "irbook")
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so that large files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target`` in one step.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def atomic_write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` whole.

    Used for multi-file caches (a converted model), so a reader never sees half a folder.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old.{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class KeyValueStore:
    """Values on disk in one SQLite file, keyed by (fingerprint, key): the base of the book's run-time caches.

    ``fingerprint`` names what made the values (a model's weights), so a changed model never reads another's
    entries. Writes happen in one transaction, so an interrupted run leaves either all or none of a batch.
    A file that is not a readable database is moved aside (``*.corrupt-<time>``) with a warning and rebuilt.
    Subclasses turn their values into bytes and back (:class:`irbook.models.EmbeddingCache` stores vectors,
    :class:`irbook.llm.GenerationCache` stores generated text).

    Introduced in chapter 1 (:doc:`01_rag_map`).
    """

    _SQLITE_MAX_VARS = 500  # stay well under SQLite's bound-parameter limit
    table = "entries"
    column = "value"  # the value column's name (the embedding cache's files call it "vector")
    what = "cache"

    def __init__(self, path: str | os.PathLike, fingerprint: str):
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ValueError(f"fingerprint must be a non-empty str, got {fingerprint!r}")
        self.path = Path(path)
        self.fingerprint = fingerprint
        self._conn = None

    def _connect(self):
        import sqlite3

        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as err:
                self._move_aside(err)
                self._conn = self._open()
        return self._conn

    def _open(self):
        import sqlite3

        conn = sqlite3.connect(self.path, timeout=60)
        try:
            # ``connect`` is lazy: these statements read the header and so detect a non-database file.
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                f"fingerprint TEXT NOT NULL, key TEXT NOT NULL, {self.column} BLOB NOT NULL, "
                "PRIMARY KEY (fingerprint, key)) WITHOUT ROWID"
            )
            conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {self.table} LIMIT 1)").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _move_aside(self, err: Exception) -> None:
        import sqlite3
        import time
        import warnings

        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        warnings.warn(
            f"{self.what.capitalize()} {self.path} is unreadable ({err}); moved it to {aside.name} and starting a new one.",
            RuntimeWarning,
            stacklevel=4,
        )
        for suffix in ("", "-journal", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                os.replace(part, Path(f"{aside}{suffix}"))

    def get_bytes(self, keys: list[str]) -> dict[str, bytes]:
        """The stored values for those keys that have one (a missing or unreadable store gives ``{}``)."""
        import sqlite3

        try:
            conn = self._connect()
            found: dict[str, bytes] = {}
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), self._SQLITE_MAX_VARS):
                chunk = unique[start : start + self._SQLITE_MAX_VARS]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, {self.column} FROM {self.table} WHERE fingerprint = ? AND key IN ({marks})",
                    [self.fingerprint, *chunk],
                )
                found.update((key, bytes(blob)) for key, blob in rows)
            return found
        except sqlite3.DatabaseError as err:
            self._move_aside(err)
            return {}

    def put_bytes(self, items: dict[str, bytes]) -> None:
        """Store values in one transaction (all or nothing)."""
        import sqlite3

        rows = [(self.fingerprint, key, value) for key, value in items.items()]
        try:
            conn = self._connect()
            with conn:  # one transaction: commit on success, roll back on error
                conn.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?, ?)", rows)
        except sqlite3.DatabaseError as err:
            self._move_aside(err)
            conn = self._connect()
            with conn:
                conn.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        row = self._connect().execute(f"SELECT count(*) FROM {self.table} WHERE fingerprint = ?", [self.fingerprint])
        return int(row.fetchone()[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def sidecar_path(path: str | os.PathLike) -> Path:
    """The checksum file beside a cached file: ``<name>.sha256``."""
    path = Path(path)
    return path.with_name(path.name + ".sha256")


def save_checked(path: str | os.PathLike, write) -> Path:
    """Write a cache file with ``write(tmp_path)`` atomically, then its sha256 sidecar (see :func:`checksum_problem`).

    Trained weights and precomputed features are kept this way, so a partial or corrupt file is detected and
    rebuilt rather than trusted. Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        write(tmp)
    with atomic_path(sidecar_path(path)) as tmp:
        tmp.write_text(sha256_file(path) + "\n")
    return path


def checksum_problem(path: str | os.PathLike) -> str | None:
    """Why a file written by :func:`save_checked` cannot be trusted, or None when it matches its sha256 sidecar.

    Introduced in appendix A1 (:doc:`A1_tiny_clip`).
    """
    path = Path(path)
    if not path.exists():
        return "no cached file"
    if not sidecar_path(path).exists():
        return "the checksum file is missing"
    if sidecar_path(path).read_text().strip() != sha256_file(path):
        return "the file does not match its sha256 (corrupt or partly written)"
    return None
