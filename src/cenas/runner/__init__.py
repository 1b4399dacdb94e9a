"""The live CE-NAS runner: the search core on real workers, in real or accelerated-replay time.

The runner never trains anything itself: a :class:`Workload` says what a task does, an
:class:`Executor` runs tasks on workers (local processes, or Ray), and every decision and result
is appended to the run store (:mod:`cenas.store`) as it happens, so that a killed run resumes
where it stopped and reaches the same result. :func:`live_record` turns a run directory into the
neutral record that ``cenas report`` reads.
"""

from cenas.runner._assembly import RunState, build_executor, build_workload
from cenas.runner._charging import ACCOUNTING, Charging
from cenas.runner._config import (
    CarbonConfig,
    ExecutorConfig,
    RunConfig,
    SearchConfig,
    SearchFileConfig,
    WorkloadConfig,
    load_search_config,
    parse_search_config,
)
from cenas.runner._executors import (
    Executor,
    InlineExecutor,
    LocalExecutor,
    Outcome,
    RayExecutor,
)
from cenas.runner._live import LiveWorkload, LiveWorkloadSettings
from cenas.runner._recording import live_record
from cenas.runner._runner import LiveRunner
from cenas.runner._workload import (
    EvaluatorWorkload,
    TaskKind,
    TaskResult,
    TaskSpec,
    Workload,
    run_task,
)

__all__ = [
    "ACCOUNTING",
    "CarbonConfig",
    "Charging",
    "EvaluatorWorkload",
    "Executor",
    "ExecutorConfig",
    "InlineExecutor",
    "LiveRunner",
    "LiveWorkload",
    "LiveWorkloadSettings",
    "LocalExecutor",
    "Outcome",
    "RayExecutor",
    "RunConfig",
    "RunState",
    "SearchConfig",
    "SearchFileConfig",
    "TaskKind",
    "TaskResult",
    "TaskSpec",
    "Workload",
    "WorkloadConfig",
    "build_executor",
    "build_workload",
    "live_record",
    "load_search_config",
    "parse_search_config",
    "run_task",
]
