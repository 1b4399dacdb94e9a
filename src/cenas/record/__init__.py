"""The neutral run record shared by simulated and live runs (what :mod:`cenas.report` reads)."""

from cenas.record._record import RECORD_FILE, EvaluationRow, RunRecord, SeriesRow

__all__ = ["RECORD_FILE", "EvaluationRow", "RunRecord", "SeriesRow"]
