"""wattshift: every megawatt of a Bitcoin mining site to its most valuable use.

To use its formulas and engines on one's own data from Python, import :mod:`wattshift.lib`
(README, "Use it as a library"). This module imports nothing, so ``import wattshift`` and the
command line's start-up stay cheap.
"""

__version__ = "0.1.0"
