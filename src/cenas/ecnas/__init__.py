"""EC-NAS: energy-aware NAS-Bench-101 measurements, the surrogate energy model, and the
multi-objective comparison on it."""

from cenas.ecnas._bench import (
    ECNAS_ARCHIVE,
    ECNAS_METRICS,
    ECNASBenchmark,
    ECNASSpaceId,
    ECNASTable,
    load_ecnas,
    read_ecnas_archive,
)
from cenas.ecnas._surrogate import (
    SURROGATE_DATA,
    SURROGATE_N_FEATURES,
    SURROGATE_OP_CODES,
    EnergySurrogate,
    LearningCurvePoint,
    SurrogateConfig,
    SurrogateData,
    SurrogateFit,
    SurrogateSplit,
    encode_cells,
    learning_curve,
    load_surrogate_data,
    split_indices,
    surrogate_features,
    train_surrogate,
)

__all__ = [
    "ECNAS_ARCHIVE",
    "ECNAS_METRICS",
    "SURROGATE_DATA",
    "SURROGATE_N_FEATURES",
    "SURROGATE_OP_CODES",
    "ECNASBenchmark",
    "ECNASSpaceId",
    "ECNASTable",
    "EnergySurrogate",
    "LearningCurvePoint",
    "SurrogateConfig",
    "SurrogateData",
    "SurrogateFit",
    "SurrogateSplit",
    "encode_cells",
    "learning_curve",
    "load_ecnas",
    "load_surrogate_data",
    "read_ecnas_archive",
    "split_indices",
    "surrogate_features",
    "train_surrogate",
]
