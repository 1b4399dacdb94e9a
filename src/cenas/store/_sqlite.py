"""The run store: one SQLite file per run, every event appended, crash-safe.

Why SQLite in WAL mode with one writer: the driver is the only process that writes, so there is
no lock contention; every :meth:`RunStore.append` is its own committed transaction, so a
``kill -9`` of the driver at any moment loses at most the event being written, never one that
``append`` returned for. ``synchronous=NORMAL`` keeps appends fast (no fsync per commit) and is
still durable against a crash of the process (only a power cut may lose the last commits).

The schema is deliberately generic (``events(seq, kind, payload JSON)`` plus a ``meta`` table
with the schema version): the meaning of each event kind belongs to the code that writes it
(:mod:`cenas.runner`); the store only guarantees order, durability and versioning.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cenas._json import to_jsonable
from cenas.errors import StoreError

logger = logging.getLogger(__name__)

__all__ = ["SCHEMA_VERSION", "STORE_FILE", "Event", "RunStore", "is_run_dir"]

SCHEMA_VERSION = 1
"""Version of the store's tables; a store written by a newer cenas is refused."""
STORE_FILE = "run.sqlite"
"""File name of the store inside a run directory."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Event:
    """One stored event.

    Attributes:
        seq: its position in the run (1, 2, ...; strictly increasing).
        kind: what it is (the writer's vocabulary, e.g. ``evaluation``).
        payload: its JSON content.
    """

    seq: int
    kind: str
    payload: dict[str, Any]


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a directory holding a run store."""
    return (Path(path) / STORE_FILE).is_file()


class RunStore:
    """An append-only event log of one run in ``RUN_DIR/run.sqlite``.

    Open with :meth:`create` (a new run) or :meth:`open` (resume, report). Use as a context
    manager or call :meth:`close`.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._conn = conn
        self.path = path
        self.readonly = readonly

    # ----------------------------------------------------------------------------- opening
    @classmethod
    def create(cls, run_dir: str | Path) -> RunStore:
        """Create the store of a new run in ``run_dir`` (created if missing, must hold no run).

        Raises:
            StoreError: ``run_dir`` is a file, or already holds a run.
        """
        d = Path(run_dir)
        if d.exists() and not d.is_dir():
            raise StoreError(f"run directory {d} is an existing file, not a directory")
        if is_run_dir(d):
            raise StoreError(
                f"{d} already holds a run ({STORE_FILE}); use `cenas resume {d}` to continue it "
                "or choose another --out"
            )
        d.mkdir(parents=True, exist_ok=True)
        path = d / STORE_FILE
        conn = cls._connect(path, readonly=False)
        with conn:
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        return cls(conn, path, readonly=False)

    @classmethod
    def open(cls, run_dir: str | Path, *, readonly: bool = False) -> RunStore:
        """Open the store of an existing run.

        Raises:
            StoreError: ``run_dir`` is missing, not a directory, holds no run, is not a cenas
                store, or was written by a newer schema.
        """
        d = Path(run_dir)
        if not d.exists():
            raise StoreError(f"run directory {d} does not exist")
        if not d.is_dir():
            raise StoreError(f"{d} is a file, not a run directory")
        path = d / STORE_FILE
        if not path.is_file():
            raise StoreError(f"{d} is not a run directory: it has no {STORE_FILE}")
        conn = cls._connect(path, readonly=readonly)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(f"{path} is not a cenas run store: {e}") from e
        if row is None:
            conn.close()
            raise StoreError(f"{path} is not a cenas run store: it has no schema version")
        version = int(row[0])
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path} has store schema version {version}, newer than this cenas supports "
                f"({SCHEMA_VERSION}); upgrade cenas to read it"
            )
        return cls(conn, path, readonly=readonly)

    @staticmethod
    def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
        try:
            if readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            else:
                conn = sqlite3.connect(path, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                # Checkpoints (copying the WAL into the database, with an fsync) cost far more
                # than appends; a run's store is small, so let the WAL grow and checkpoint once
                # when the store is closed.
                conn.execute("PRAGMA wal_autocheckpoint=10000")
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path} is not a cenas run store (cannot open it: {e})") from e
        return conn

    # ------------------------------------------------------------------------------ writing
    def append(self, kind: str, payload: Mapping[str, Any]) -> int:
        """Append one event and commit it; returns its ``seq``.

        Raises:
            StoreError: the store is read-only or the payload is not JSON-serialisable.
        """
        if self.readonly:
            raise StoreError(f"{self.path} was opened read-only")
        try:
            text = json.dumps(to_jsonable(dict(payload)), separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as e:
            raise StoreError(f"event {kind!r} cannot be stored as JSON: {e}") from e
        cur = self._conn.execute("INSERT INTO events(kind, payload) VALUES (?, ?)", (kind, text))
        return int(cur.lastrowid or 0)

    # ------------------------------------------------------------------------------ reading
    def events(self, kind: str | None = None) -> Iterator[Event]:
        """Events in order, all or of one kind."""
        if kind is None:
            rows = self._conn.execute("SELECT seq, kind, payload FROM events ORDER BY seq")
        else:
            rows = self._conn.execute(
                "SELECT seq, kind, payload FROM events WHERE kind = ? ORDER BY seq", (kind,)
            )
        for seq, k, text in rows:
            yield Event(int(seq), str(k), json.loads(text))

    def count(self, kind: str | None = None) -> int:
        """Number of events, all or of one kind."""
        if kind is None:
            row = self._conn.execute("SELECT COUNT(*) FROM events").fetchone()
        else:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM events WHERE kind = ?", (kind,)
            ).fetchone()
        return int(row[0])

    @property
    def schema_version(self) -> int:
        """The version written in the file."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Checkpoint the WAL into the database file (writer) and close (idempotent)."""
        if not self.readonly:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.ProgrammingError:  # already closed
                pass
            except sqlite3.OperationalError as e:  # a reader holds the WAL: checkpoint later
                logger.info("run store %s: checkpoint deferred (%s)", self.path, e)
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
