"""The package's one error type: everything else subclasses it."""

from __future__ import annotations


class Yt2DocError(Exception):
    """A problem the user can act on; its message names the talk and the cause."""
