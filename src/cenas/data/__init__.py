"""Reference data: the catalog of known files, locating and verifying them, safe loading."""

from cenas.data._catalog import (
    CATALOG,
    DATA_DIR_ENV,
    DataFile,
    FileStatus,
    VerifyResult,
    cache_dir,
    find_file,
    locate,
    resolve_data_dir,
    sha256_file,
    verify_dir,
)
from cenas.data._download import download
from cenas.data._safe_pickle import (
    ALLOWED_GLOBALS,
    load_pickle,
    load_torch_zip_pickle,
    restricted_loads,
)

__all__ = [
    "ALLOWED_GLOBALS",
    "CATALOG",
    "DATA_DIR_ENV",
    "DataFile",
    "FileStatus",
    "VerifyResult",
    "cache_dir",
    "download",
    "find_file",
    "load_pickle",
    "load_torch_zip_pickle",
    "locate",
    "resolve_data_dir",
    "restricted_loads",
    "sha256_file",
    "verify_dir",
]
