"""The exceptions blendsim raises.

Every error blendsim raises on purpose derives from :class:`BlendsimError`, so a caller
(and the command line) can catch exactly blendsim's own errors and nothing else.  Bad input
also derives from :class:`ValueError`, as Python users expect.

Messages name the argument (or field path), the value it had and what is allowed, e.g.
``agents must be >= 0 (got -3)``.
"""

from __future__ import annotations

__all__ = ["BlendsimError", "InputError", "InfeasibleError", "ScenarioError"]


class BlendsimError(Exception):
    """Base class of every error blendsim raises on purpose."""


class InputError(BlendsimError, ValueError):
    """An argument is out of its domain: wrong type, NaN, negative, unknown option..."""


class ScenarioError(InputError):
    """A scenario (file or Python object) is invalid; the message names the field path."""


class InfeasibleError(BlendsimError):
    """A target cannot be met by any staffing in the searched range."""
