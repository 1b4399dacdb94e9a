import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cenas.errors import StoreError
from cenas.store import SCHEMA_VERSION, STORE_FILE, RunStore, is_run_dir


def test_append_and_read_back_in_order(tmp_path: Path) -> None:
    with RunStore.create(tmp_path / "run") as st:
        seqs = [st.append("a" if i % 2 else "b", {"i": i, "x": [1.5, None]}) for i in range(10)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 10
        assert [e.payload["i"] for e in st.events()] == list(range(10))
        assert [e.payload["i"] for e in st.events("a")] == [1, 3, 5, 7, 9]
        assert st.count() == 10 and st.count("b") == 5
    assert is_run_dir(tmp_path / "run")
    with RunStore.open(tmp_path / "run", readonly=True) as st:
        assert st.schema_version == SCHEMA_VERSION
        assert st.count() == 10
        with pytest.raises(StoreError, match="read-only"):
            st.append("a", {})


def test_uses_wal(tmp_path: Path) -> None:
    with RunStore.create(tmp_path) as st:
        st.append("x", {})
    conn = sqlite3.connect(tmp_path / STORE_FILE)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bad_run_dirs(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="existing file"):
        RunStore.create(f)
    with pytest.raises(StoreError, match="is a file"):
        RunStore.open(f)
    with pytest.raises(StoreError, match="does not exist"):
        RunStore.open(tmp_path / "missing")
    with pytest.raises(StoreError, match="not a run directory"):
        RunStore.open(tmp_path)
    RunStore.create(tmp_path / "r").close()
    with pytest.raises(StoreError, match="already holds a run"):
        RunStore.create(tmp_path / "r")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / STORE_FILE).write_text("not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a cenas run store"):
        RunStore.open(tmp_path / "junk")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    RunStore.create(tmp_path).close()
    conn = sqlite3.connect(tmp_path / STORE_FILE)
    with conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    conn.close()
    with pytest.raises(StoreError, match="newer than this cenas supports"):
        RunStore.open(tmp_path)


def test_unserialisable_payload(tmp_path: Path) -> None:
    with RunStore.create(tmp_path) as st, pytest.raises(StoreError, match="cannot be stored"):
        st.append("x", {"f": object()})


def test_kill_9_loses_no_appended_event(tmp_path: Path) -> None:
    """A writer killed with SIGKILL keeps every event whose append returned."""
    code = textwrap.dedent(
        f"""
        import sys
        from cenas.store import RunStore
        st = RunStore.create({str(tmp_path)!r})
        for i in range(1_000_000):
            st.append("e", {{"i": i}})
            if i == 300:
                print("ready", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with RunStore.open(tmp_path) as st:
        got = [e.payload["i"] for e in st.events()]
    assert len(got) >= 301
    assert got == list(range(len(got)))
