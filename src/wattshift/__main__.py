"""``python -m wattshift``: the same command line as the ``wattshift`` script."""

from __future__ import annotations

from wattshift.cli import run

if __name__ == "__main__":
    run()
