"""The exceptions blendsim raises.

Every error blendsim raises on purpose derives from :class:`BlendsimError`, so a caller
(and the command line) can catch exactly blendsim's own errors and nothing else.  Bad input
also derives from :class:`ValueError`, as Python users expect.

Messages name the argument (or field path), the value it had and what is allowed, e.g.
``agents must be >= 0 (got -3)``.
"""

from __future__ import annotations

__all__ = ["BlendsimError", "InfeasibleError", "InputError", "ScenarioError"]


class BlendsimError(Exception):
    """Base class of every error blendsim raises on purpose."""


class InputError(BlendsimError, ValueError):
    """An argument is out of its domain: wrong type, NaN, negative, unknown option..."""


class ScenarioError(InputError):
    """A scenario (file or Python object) is invalid.

    ``problems`` lists every problem found, each naming its field path, the value and what is
    allowed, e.g. ``inbound[1].handle_time.mean must be a number > 0 (got -30)``; ``source``
    is the file it came from, if any.  ``str()`` gives one line per problem.
    """

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        return "\n".join(prefix + p for p in self.problems)

    def __reduce__(self):  # keep problems and source when pickled (process pools)
        return (type(self), (self.problems, self.source))


class InfeasibleError(BlendsimError):
    """A target cannot be met by any staffing in the searched range."""
