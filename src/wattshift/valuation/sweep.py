"""Portfolio sweeps: sites x scenarios x parameters, one task per (case, chunk), on Dask or serially.

A case is a calibrated :class:`~wattshift.valuation.montecarlo.ValuationInputs`. Each task runs one
chunk of paths with its own seed stream, so the Dask result equals the serial one exactly (a test):
chunks are merged in chunk order whatever worker ran them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wattshift.errors import ConfigError
from wattshift.valuation.config import ValuationConfig
from wattshift.valuation.dcf import summary
from wattshift.valuation.montecarlo import (
    BUSINESSES,
    ChunkResult,
    ValuationInputs,
    chunk_sizes,
    merge_chunks,
    run_chunk,
)


@dataclass(frozen=True)
class Case:
    """One sweep case: labels and inputs."""

    site: str
    scenario: str
    params: dict[str, Any]
    inputs: ValuationInputs


def apply_overrides(cfg: ValuationConfig, overrides: Mapping[str, Any]) -> ValuationConfig:
    """Return ``cfg`` with dotted overrides applied, e.g. ``{"ai.rate_usd_per_kw_month": 150}``.

    Raises
    ------
    ConfigError
        If a key names no field.
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
    except Exception as exc:
        raise ConfigError(f"sweep parameters {dict(overrides)}: {exc}") from None


def parameter_grid(parameters: Mapping[str, Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Cartesian product of ``{name: [values]}`` as dicts (one empty dict if no parameters)."""
    names = list(parameters)
    for combo in itertools.product(*(parameters[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def _case_row(case: Case, res: ChunkResult) -> dict[str, Any]:
    row: dict[str, Any] = {"site": case.site, "scenario": case.scenario, **case.params}
    for b in BUSINESSES:
        for k, v in summary(res.npv_usd[b]).items():
            row[f"npv_{b}_{k}"] = v
    row["prob_ai_beats_mining"] = float(np.mean(res.npv_usd["ai"] > res.npv_usd["mining"]))
    return row


def run_sweep(
    cases: Sequence[Case],
    *,
    paths: int,
    seed: int,
    chunk_paths: int,
    client: Any | None = None,
) -> list[dict[str, Any]]:
    """Value every case on ``paths`` paths; on ``client`` (a ``distributed.Client``) or serially.

    Parameters
    ----------
    cases
        Sweep cases.
    paths, seed, chunk_paths
        Monte Carlo size, base seed and chunking (same for every case: common random numbers).
    client
        Dask client; None = run in this process.

    Returns
    -------
    list of dict
        One row per case: labels, parameters, ``npv_{business}_{p5,p50,p95,mean}`` [USD/MW],
        ``prob_ai_beats_mining``.
    """
    sizes = chunk_sizes(paths, chunk_paths)
    tasks = [(ci, k, n) for ci in range(len(cases)) for k, n in enumerate(sizes)]
    if client is None:
        results = [run_chunk(cases[ci].inputs, k, n, seed=seed, with_irr=False) for ci, k, n in tasks]
    else:
        scattered = client.scatter([c.inputs for c in cases], broadcast=True, hash=False)
        futures = [
            client.submit(run_chunk, scattered[ci], k, n, seed=seed, with_irr=False, pure=False)
            for ci, k, n in tasks
        ]
        results = client.gather(futures)
    rows = []
    per_case = len(sizes)
    for ci, case in enumerate(cases):
        parts = results[ci * per_case : (ci + 1) * per_case]
        rows.append(_case_row(case, merge_chunks(parts)))
    return rows
