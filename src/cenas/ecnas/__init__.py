"""EC-NAS: energy-aware NAS-Bench-101 measurements, the surrogate energy model, and the
multi-objective comparison on it."""

from pathlib import Path

from cenas.bench import Benchmark, BenchmarkLoader, register_benchmark
from cenas.ecnas._archive import ECNAS_ARCHIVE, ECNASSpaceId, ECNASTable, read_ecnas_archive
from cenas.ecnas._bench import ECNAS_METRICS, ECNASBenchmark, load_ecnas
from cenas.ecnas._compare import (
    AttainmentPlotData,
    ComparisonResult,
    MethodSpec,
    PointSummary,
    TrialResult,
    attainment_plot_data,
    compare_optimizers,
    point_summaries,
    render_attainment,
)
from cenas.ecnas._methods import COMPARISON_METHODS, comparison_methods
from cenas.ecnas._semoa import SEMOA
from cenas.ecnas._surrogate import EnergySurrogate, SurrogateConfig
from cenas.ecnas._surrogate_data import (
    SURROGATE_DATA,
    SURROGATE_N_FEATURES,
    SURROGATE_OP_CODES,
    SurrogateData,
    encode_cells,
    load_surrogate_data,
    surrogate_features,
)
from cenas.ecnas._surrogate_train import (
    LearningCurvePoint,
    SurrogateFit,
    SurrogateSplit,
    learning_curve,
    split_indices,
    train_surrogate,
)
from cenas.errors import ConfigError

__all__ = [
    "COMPARISON_METHODS",
    "ECNAS_ARCHIVE",
    "ECNAS_METRICS",
    "SEMOA",
    "SURROGATE_DATA",
    "SURROGATE_N_FEATURES",
    "SURROGATE_OP_CODES",
    "AttainmentPlotData",
    "ComparisonResult",
    "ECNASBenchmark",
    "ECNASSpaceId",
    "ECNASTable",
    "EnergySurrogate",
    "LearningCurvePoint",
    "MethodSpec",
    "PointSummary",
    "SurrogateConfig",
    "SurrogateData",
    "SurrogateFit",
    "SurrogateSplit",
    "TrialResult",
    "attainment_plot_data",
    "compare_optimizers",
    "comparison_methods",
    "encode_cells",
    "learning_curve",
    "load_ecnas",
    "load_surrogate_data",
    "point_summaries",
    "read_ecnas_archive",
    "render_attainment",
    "split_indices",
    "surrogate_features",
    "train_surrogate",
]


def _loader(vertices: int) -> BenchmarkLoader:
    def load(data_dir: Path | None, **kwargs: object) -> Benchmark:
        if kwargs:
            raise ConfigError(
                f"the EC-NAS benchmarks take no options, but got {', '.join(sorted(kwargs))}"
            )
        return load_ecnas(vertices=vertices, data_dir=data_dir)

    return load


# The benchmark names this package owns (cenas.bench's registry imports nothing of ours).
register_benchmark("ecnas", _loader(5))
register_benchmark("ecnas5", _loader(5))
register_benchmark("ecnas4", _loader(4))
