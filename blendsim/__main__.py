"""``python -m blendsim``: the same as the ``blendsim`` command."""

import sys

from blendsim.cli import main

if __name__ == "__main__":  # (not when a spawned worker process imports this module)
    sys.exit(main())
