"""Search spaces: the abstraction and the NAS-Bench-201 cell space."""

from cenas.space._base import SearchSpace

__all__ = ["SearchSpace"]
