"""wattshift: every megawatt of a Bitcoin mining site to its most valuable use."""

__version__ = "0.1.0"
