"""Layer 7 -- the ``blendsim`` command: parses options, calls one library function, prints."""

from __future__ import annotations

from blendsim.cli.app import main

__all__ = [
    "main",
]
