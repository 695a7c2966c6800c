"""The ASIC catalogue as the interfaces look it up: a model by (part of) its name, and the workhorses.

:func:`find_asic` forgives case, spaces and punctuation (``"s19j pro"`` finds "Antminer S19j Pro
(104T)") and lists close matches when a name is unknown or ambiguous.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from wattshift.errors import NotInWarehouseError

#: Widely deployed workhorses shown in the table (those present in the catalogue are used).
WORKHORSE_MODELS: tuple[str, ...] = (
    "Antminer S19j Pro (104T)",
    "Antminer S19 XP (140T)",
    "Antminer S21 (200T)",
    "Whatsminer M30S++ (112T)",
    "Whatsminer M50S (126T)",
)

WORKHORSE_WHY = (
    "Workhorses: the volume models of each generation in public reporting: S19j Pro and M30S++ make up "
    "Hashrate Index's 'latest generation' ASIC price tier of 2021-22; S19 XP and M50S its under-25 J/TH "
    "tier of 2023 (CoinDesk, 2023-07-26); the S21 shipped to public miners from January 2024 "
    "(TheMinerMag, 2023-10-11, CleanSpark's order)."
)


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-z+]", "", text.casefold())


def find_asic(catalogue: pd.DataFrame, model: str) -> pd.Series:
    """The catalogue row of ``model``: exact name, name without its ``(…)`` suffix, or a unique part.

    Matching ignores case, spaces and punctuation, so ``"s19j pro"`` finds "Antminer S19j Pro (104T)".

    Parameters
    ----------
    catalogue
        ASIC frame (``model`` column).
    model
        Model name or an unambiguous part of it.

    Returns
    -------
    pandas.Series
        The catalogue row.

    Raises
    ------
    NotInWarehouseError
        No model or several match; the message lists the close matches.
    """
    if catalogue.empty:
        raise NotInWarehouseError(
            "no ASIC catalogue in the warehouse: run `wattshift data ingest --all` first"
        )
    names = [str(m) for m in catalogue["model"]]
    query = _normal(model)
    full = [_normal(n) for n in names]
    base = [_normal(re.sub(r"\s*\(.*\)\s*$", "", n)) for n in names]
    for keys in (full, base):
        hits = [i for i, k in enumerate(keys) if k == query]
        if len(hits) == 1:
            return catalogue.iloc[hits[0]]
    parts = [i for i, k in enumerate(full) if query and query in k]
    if len(parts) == 1:
        return catalogue.iloc[parts[0]]
    close = [names[i] for i in parts[:10]]
    close += [n for n in difflib.get_close_matches(model, names, n=5, cutoff=0.5) if n not in close]
    hint = f"; close matches: {', '.join(close)}" if close else "; `wattshift asics` lists the catalogue"
    what = "is ambiguous" if len(parts) > 1 else "is not in the ASIC catalogue"
    raise NotInWarehouseError(f"ASIC model {model!r} {what}{hint}")
