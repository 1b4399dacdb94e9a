"""Run store: an append-only, crash-safe SQLite event log per run directory.

The store never interprets events: it keeps them in order, durable and versioned. The live
runner (:mod:`cenas.runner`) writes them and rebuilds a run from them on resume.
"""

from cenas.store._sqlite import SCHEMA_VERSION, STORE_FILE, Event, RunStore, is_run_dir

__all__ = ["SCHEMA_VERSION", "STORE_FILE", "Event", "RunStore", "is_run_dir"]
