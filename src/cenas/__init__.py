"""cenas: carbon-efficient neural architecture search."""

from importlib.metadata import PackageNotFoundError, version

from cenas.errors import CenasError

try:
    __version__ = version("cenas")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["CenasError", "__version__"]
