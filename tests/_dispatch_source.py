"""A tiny in-memory stand-in for the warehouse (synthetic prices; tests only)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _frame(
    node: str, market: str, start: str, periods: int, minutes: int, values: np.ndarray
) -> pd.DataFrame:
    idx = pd.date_range(start, periods=periods, freq=f"{minutes}min", tz="UTC")
    return pd.DataFrame(
        {
            "iso": "ERCOT",
            "node": node,
            "market": market,
            "interval_start_utc": idx,
            "interval_minutes": minutes,
            "price_usd_per_mwh": values.astype(float),
        }
    )


def _utc(when: Any) -> pd.Timestamp:
    ts = pd.Timestamp(when) if isinstance(when, pd.Timestamp) else pd.Timestamp(str(when))
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


class TinySource:
    """Three UTC days (2023-08-01..03) of 15-min RT, hourly DA, REGUP and RRS prices, BTC daily, ASICs."""

    def __init__(self, *, drop_rt: slice | None = None) -> None:
        rng = np.random.default_rng(3)
        n = 2 * 96
        rt = 40 + 60 * np.sin(np.arange(n) / 96 * 2 * np.pi) + rng.normal(0, 20, n)
        rt[70:74] = 900.0  # a price spike
        da = rt.reshape(-1, 4).mean(axis=1) + 5.0
        regup, rrs = rng.uniform(5, 30, 48), rng.uniform(5, 30, 48)
        # A third UTC day from its own generator (the first two stay as they were), so that ERCOT
        # operating days 2023-08-01..02 (05:00 UTC to 05:00 UTC) are covered too.
        more = np.random.default_rng(4)
        rt = np.concatenate([rt, 40 + 60 * np.sin(np.arange(96) / 96 * 2 * np.pi) + more.normal(0, 20, 96)])
        da = np.concatenate([da, rt[n:].reshape(-1, 4).mean(axis=1) + 5.0])
        regup = np.concatenate([regup, more.uniform(5, 30, 24)])
        rrs = np.concatenate([rrs, more.uniform(5, 30, 24)])
        n += 96
        frames = [
            _frame("HB_WEST", "rt", "2023-08-01", n, 15, rt),
            _frame("HB_WEST", "da", "2023-08-01", n // 4, 60, da),
            _frame("REGUP", "da_as", "2023-08-01", n // 4, 60, regup),
            _frame("RRS", "da_as", "2023-08-01", n // 4, 60, rrs),
        ]
        if drop_rt is not None:
            keep = np.ones(n, dtype=bool)
            keep[drop_rt] = False
            frames[0] = frames[0][keep]
        self.iso = pd.concat(frames, ignore_index=True)
        days = pd.date_range("2023-07-31", "2023-08-03", freq="D")
        # Difficulty, blocks, subsidy, fees and price of the order of August 2023 (synthetic round numbers).
        self.btc = pd.DataFrame(
            {
                "date": days,
                "price_usd": 29_000.0,
                "difficulty": 52e12,
                "blocks": 144.0,
                "issuance_btc": 900.0,
                "fees_btc": 30.0,
                "hashrate_ehs": 380.0,
            }
        )
        self.asics = pd.DataFrame(
            {
                "model": ["Antminer S21 (200T)"],
                "vendor": ["Bitmain"],
                "hashrate_ths": [200.0],
                "power_w": [3500.0],
                "efficiency_j_per_th": [17.5],
                "release": ["2023"],
                "source": ["test"],
            }
        )

    def iso_prices(self, node: str, market: str, start: Any, end: Any, *, iso: str = "ERCOT") -> pd.DataFrame:
        s, e = _utc(start), _utc(end)
        f = self.iso
        sel = (
            (f["node"] == node)
            & (f["market"] == market)
            & (f["interval_start_utc"] >= s)
            & (f["interval_start_utc"] < e)
        )
        return f[sel].reset_index(drop=True)

    def btc_daily(self, start: Any = None, end: Any = None) -> pd.DataFrame:
        return self.btc

    def asic_models(self) -> pd.DataFrame:
        return self.asics

    def __enter__(self) -> TinySource:
        return self

    def __exit__(self, *args: object) -> None:
        return None
