"""Test doubles that ship with wattshift: emulated miners (and a fake warehouse) for tests and benchmarks."""
