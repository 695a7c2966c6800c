"""Sweep grids of the valuation (``wattshift value sweep --grid FILE``) and dotted overrides of a
``[valuation]`` table."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wattshift.config.valuation import ValuationConfig
from wattshift.errors import ConfigError


def apply_overrides(cfg: ValuationConfig, overrides: Mapping[str, Any]) -> ValuationConfig:
    """Return ``cfg`` with dotted overrides applied, e.g. ``{"ai.rate_usd_per_kw_month": 150}``.

    Raises
    ------
    ConfigError
        If a key names no field, or a value is out of its field's range.
    """
    data = cfg.model_dump()
    for key, value in overrides.items():
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ConfigError(f"sweep parameter {key!r}: no table {part!r} in [valuation]")
            node = node[part]
        if parts[-1] not in node:
            raise ConfigError(f"sweep parameter {key!r}: unknown field {parts[-1]!r}")
        node[parts[-1]] = value
    try:
        return ValuationConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"sweep parameters {dict(overrides)}: {exc}") from None


@dataclass(frozen=True)
class SweepGrid:
    """A sweep grid TOML (``wattshift value sweep --grid FILE``).

    Attributes
    ----------
    sites
        Site files, absolute (relative paths in the file are relative to the grid file).
    scenarios
        ``[scenarios.NAME]`` tables of ``[valuation.scenario]`` overrides (one ``default`` when none).
    parameters
        ``[parameters]``: dotted ``[valuation]`` field -> values; every combination is a case.
    paths, years, seed, chunk_paths
        Monte Carlo size, horizon [years], seed and chunking, the same for every case.
    """

    sites: tuple[Path, ...]
    scenarios: dict[str, dict[str, Any]] = field(default_factory=lambda: {"default": {}})
    parameters: dict[str, list[Any]] = field(default_factory=dict)
    paths: int = 2000
    years: int = 15
    seed: int = ValuationConfig.model_fields["seed"].default
    chunk_paths: int = 1024


def load_grid(path: str | Path) -> SweepGrid:
    """Read a sweep grid TOML (:class:`SweepGrid`).

    Raises
    ------
    ConfigError
        Naming the file and the key: missing file, bad TOML, no sites, a key of the wrong type.
    """
    path = Path(path)
    try:
        grid = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: grid file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if not grid.get("sites"):
        raise ConfigError(f"{path}: sites: give at least one site file")
    for key in ("scenarios", "parameters"):
        if not isinstance(grid.get(key, {}), dict):
            raise ConfigError(f"{path}: {key}: must be a table")
    for name, values in grid.get("parameters", {}).items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{path}: parameters.{name}: must be a non-empty list")
    sizes: dict[str, int] = {}
    for key in ("paths", "years", "seed", "chunk_paths"):
        if key in grid:
            try:
                sizes[key] = int(grid[key])
            except (TypeError, ValueError):
                raise ConfigError(f"{path}: {key}: must be an integer, not {grid[key]!r}") from None
    return SweepGrid(
        sites=tuple((path.parent / s).resolve() for s in grid["sites"]),
        scenarios=grid.get("scenarios") or {"default": {}},
        parameters=grid.get("parameters", {}),
        **sizes,
    )
