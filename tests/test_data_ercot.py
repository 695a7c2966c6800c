"""ERCOT adapters on the real shared files: shape, span, known values, README cross-checks.

Known values come from /work/shared/data/power/README.md (its sanity and cross-check lines) and
from the raw files themselves (read here with plain pandas, independent of the adapters).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wattshift.data.ercot import ERCOT_READERS, from_local, read_ercot_dam_spp_wide, to_local
from wattshift.data.registry import spec_for
from wattshift.data.schema import ISO_PRICE_COLUMNS

pytestmark = pytest.mark.shared_data

Loader = Callable[[str], pd.DataFrame]

DAM = "ercot_dam_spp_hub_lz_hourly_2022_2025.csv"
MCPC = "ercot_dam_as_mcpc_hourly_2022_2025.csv"
NP6905 = "ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv"
RT = {year: f"ercot_rtm_spp_15min_hubs_{year}.csv" for year in (2023, 2024, 2025)}
LZ = "ercot_rtm_spp_15min_lz_pairs_2023.parquet"
SCED = "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet"
GS_RT = "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet"
GS_DA = "ercot_da_spp_hourly_hb_hubavg_2024_2025.parquet"
HUBS7 = ["HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST"]
LZ8 = ["LZ_AEN", "LZ_CPS", "LZ_HOUSTON", "LZ_LCRA", "LZ_NORTH", "LZ_RAYBN", "LZ_SOUTH", "LZ_WEST"]


@pytest.fixture(scope="module")
def power(shared_data_dir: Path) -> Path:
    return shared_data_dir / "power"


@pytest.fixture(scope="module")
def load(power: Path) -> Loader:
    """Parse each shared file at most once per module."""
    cache: dict[str, pd.DataFrame] = {}

    def get(file: str) -> pd.DataFrame:
        if file not in cache:
            cache[file] = ERCOT_READERS[file](power / file)
        return cache[file]

    return get


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _node(frame: pd.DataFrame, node: str) -> pd.DataFrame:
    return frame[frame["node"] == node].reset_index(drop=True)


def test_readers_cover_every_shared_power_file(power: Path) -> None:
    files = {p.name for p in power.iterdir() if p.suffix in {".csv", ".parquet"}}
    prices = {name for name in files if spec_for(name).kind == "ercot"}  # not the load and 4CP files
    assert set(ERCOT_READERS) == prices


# (file, rows, market, minutes, first UTC start, last UTC start, nodes)
SPANS = [
    (DAM, 443_820, "da", 60, "2022-01-01 06:00", "2025-05-18 04:00", HUBS7 + LZ8),
    (
        MCPC,
        131_156,
        "da_as",
        60,
        "2022-01-01 06:00",
        "2025-04-13 04:00",
        ["ECRS", "NSPIN", "REGDN", "REGUP", "RRS"],
    ),
    (
        NP6905,
        105_216,
        "rt",
        15,
        "2024-06-01 05:00",
        "2025-09-01 04:45",
        ["HB_HOUSTON", "HB_NORTH", "HB_SOUTH", "HB_WEST"],
    ),
    (RT[2023], 245_280, "rt", 15, "2023-01-01 06:00", "2024-01-01 05:45", HUBS7),
    (RT[2024], 245_952, "rt", 15, "2024-01-01 06:00", "2025-01-01 05:45", HUBS7),
    (RT[2025], 245_280, "rt", 15, "2025-01-01 06:00", "2026-01-01 05:45", HUBS7),
    (
        LZ,
        560_640,
        "rt",
        15,
        "2023-01-01 06:00",
        "2024-01-01 05:45",
        sorted(f"{z}:{s}" for z in LZ8 for s in ("lo", "hi")),
    ),
    (
        SCED,
        607_610,
        "rt_lmp",
        5,
        "2024-01-01 06:00",
        "2025-02-26 05:55",
        ["HB_HOUSTON", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST"],
    ),
    (GS_RT, 67_200, "rt", 15, "2024-01-01 00:00", "2025-11-30 23:45", ["HB_HUBAVG"]),
    (GS_DA, 16_800, "da", 60, "2024-01-01 00:00", "2025-11-30 23:00", ["HB_HUBAVG"]),
]


@pytest.mark.parametrize(
    ("file", "rows", "market", "minutes", "first", "last", "nodes"), SPANS, ids=[s[0] for s in SPANS]
)
def test_real_file_contract_and_span(
    load: Loader, file: str, rows: int, market: str, minutes: int, first: str, last: str, nodes: list[str]
) -> None:
    frame = load(file)
    assert tuple(frame.columns) == ISO_PRICE_COLUMNS
    assert str(frame["interval_start_utc"].dtype) == "datetime64[ns, UTC]"
    assert frame["interval_minutes"].dtype == np.int64
    assert frame["price_usd_per_mwh"].dtype == np.float64
    assert len(frame) == rows
    assert set(frame["iso"]) == {"ERCOT"}
    assert set(frame["market"]) == {market}
    assert set(frame["interval_minutes"]) == {minutes}
    assert frame["interval_start_utc"].min() == _utc(first)
    assert frame["interval_start_utc"].max() == _utc(last)
    assert sorted(frame["node"].unique()) == nodes
    assert not frame["price_usd_per_mwh"].isna().any()
    # long, sorted by (node, interval_start_utc), one row per node and interval
    node = frame["node"].to_numpy(dtype=object)
    start_ns = pd.DatetimeIndex(frame["interval_start_utc"]).asi8
    same_node = node[1:] == node[:-1]
    assert (node[1:] >= node[:-1]).all()
    assert (start_ns[1:] > start_ns[:-1])[same_node].all()
    assert isinstance(frame.index, pd.RangeIndex)


def test_rt_2023_heat_wave_values_and_dst_day_lengths(load: Loader) -> None:
    west = to_local(_node(load(RT[2023]), "HB_WEST"))
    aug = west[(west["delivery_date"] >= "2023-08-01") & (west["delivery_date"] < "2023-09-01")]
    top = aug.iloc[int(np.argmax(aug["price_usd_per_mwh"].to_numpy()))]
    assert top["price_usd_per_mwh"] == 5236.81
    assert top["interval_start_local"] == pd.Timestamp("2023-08-17 19:30", tz="America/Chicago")
    assert top["interval_start_utc"] == _utc("2023-08-18 00:30")
    daily_max = west.groupby("delivery_date")["price_usd_per_mwh"].max()
    assert daily_max.loc["2023-08-24"] == 4344.97
    assert daily_max.loc["2023-08-25"] == 4938.75
    assert daily_max.loc["2023-09-06"] == 5333.97
    per_day = west.groupby("delivery_date").size()
    assert per_day.loc["2023-03-12"] == 92
    assert per_day.loc["2023-11-05"] == 100
    assert (per_day.drop([pd.Timestamp("2023-03-12"), pd.Timestamp("2023-11-05")]) == 96).all()
    assert len(per_day) == 365


def test_rt_wide_utc_local_labels_round_trip_the_cpt_column(power: Path, load: Loader) -> None:
    raw = pd.read_csv(power / RT[2023], usecols=["interval_start_cpt", "HB_PAN"])
    local = to_local(_node(load(RT[2023]), "HB_PAN"))
    stamp = local["interval_start_local"].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    iso = stamp.str[:-2] + ":" + stamp.str[-2:]  # -0500 -> -05:00
    assert (iso.to_numpy() == raw["interval_start_cpt"].to_numpy()).all()
    assert np.array_equal(local["price_usd_per_mwh"].to_numpy(), raw["HB_PAN"].to_numpy())
    assert (from_local(local) == local["interval_start_utc"]).all()


def test_np6905_local_fields_round_trip_and_match_the_2024_2025_hub_files(power: Path, load: Loader) -> None:
    raw = pd.read_csv(power / NP6905)
    np6 = load(NP6905)
    west_raw = raw[raw["settlement_point"] == "HB_WEST"]
    local = to_local(_node(np6, "HB_WEST"))
    assert (
        local["delivery_date"].dt.strftime("%m/%d/%Y").to_numpy() == west_raw["delivery_date"].to_numpy()
    ).all()
    assert (local["delivery_hour"].to_numpy() == west_raw["delivery_hour"].to_numpy()).all()
    assert (local["delivery_interval"].to_numpy() == west_raw["delivery_interval"].to_numpy()).all()
    assert not local["repeated_hour_flag"].any()  # no DST day in the selected months
    # README: the yearly hub files equal these raw NP6-905 months (float32 noise below 2e-4)
    hubs = pd.concat([load(RT[2024]), load(RT[2025])])
    both = np6.merge(hubs, on=["node", "interval_start_utc"], suffixes=("_np", "_hub"))
    assert len(both) == 105_216
    gap = (both["price_usd_per_mwh_np"] - both["price_usd_per_mwh_hub"]).abs()
    assert gap.max() < 2e-4


def test_hubavg_gridstatus_rt_differs_from_the_archive_in_237_intervals(load: Loader) -> None:
    archive = pd.concat([_node(load(RT[2024]), "HB_HUBAVG"), _node(load(RT[2025]), "HB_HUBAVG")])
    both = load(GS_RT).merge(archive, on="interval_start_utc", suffixes=("_api", "_archive"))
    assert len(both) == 67_176  # the archive starts at local midnight, 2024-01-01 06:00 UTC (24 fewer)
    gap = (both["price_usd_per_mwh_api"] - both["price_usd_per_mwh_archive"]).abs()
    assert int((gap > 0).sum()) == 237
    assert gap.max() == pytest.approx(1595.72, abs=0.005)


def test_dam_hour_ending_alignment_against_gridstatus_day_ahead(load: Loader) -> None:
    dam = _node(load(DAM), "HB_HUBAVG")
    both = load(GS_DA).merge(dam, on="interval_start_utc", suffixes=("_gs", "_dam"))
    assert len(both) == 12_076
    differs = both[(both["price_usd_per_mwh_gs"] - both["price_usd_per_mwh_dam"]).abs() > 0.005]
    # a one-hour shift would break thousands of hours; only 8 whole operating days of January 2024
    # (different postings upstream) and the merged fall-back hour differ
    days = differs["interval_start_utc"].dt.tz_convert("America/Chicago").dt.strftime("%Y-%m-%d")
    assert len(differs) == 180
    assert sorted(set(days)) == [f"2024-01-{d}" for d in ("10", "15", "17", "18", "19", "20", "23", "25")] + [
        "2024-11-03"
    ]
    # the merged 2024-11-03 label (kept as the CDT hour) reads as the mean of the two real hours
    gs = load(GS_DA).set_index("interval_start_utc")["price_usd_per_mwh"]
    merged = dam.set_index("interval_start_utc")["price_usd_per_mwh"].loc[_utc("2024-11-03 06:00")]
    assert (gs.loc[_utc("2024-11-03 06:00")], gs.loc[_utc("2024-11-03 07:00")]) == (10.57, 13.52)
    assert merged == pytest.approx((10.57 + 13.52) / 2, abs=0.006)
    assert _utc("2024-11-03 07:00") not in set(dam["interval_start_utc"])


def test_dam_local_days_and_merged_fall_hours(power: Path, load: Loader) -> None:
    west = to_local(_node(load(DAM), "HB_WEST"))
    raw = pd.read_csv(power / DAM, usecols=["hour_ending_cpt", "HB_WEST"])
    assert (
        west["hour_ending_local"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
        == raw["hour_ending_cpt"].to_numpy()
    ).all()
    per_day = west.groupby("delivery_date").size()
    assert per_day.loc[["2022-03-13", "2023-03-12", "2024-03-10", "2025-03-09"]].tolist() == [23] * 4
    assert per_day.loc[["2022-11-06", "2023-11-05", "2024-11-03"]].tolist() == [24] * 3  # 25 h, one merged
    assert west["delivery_date"].min() == pd.Timestamp("2022-01-01")
    assert west["delivery_date"].max() == pd.Timestamp("2025-05-17")  # last row is HE24 of 05-17
    dropped = read_ercot_dam_spp_wide(power / DAM, merged_fall_hour="drop")
    assert len(load(DAM)) - len(dropped) == 3 * 15


def test_mcpc_products_ecrs_start_and_repeated_hours(load: Loader) -> None:
    mcpc = load(MCPC)
    sizes = mcpc.groupby("node").size().to_dict()
    assert sizes == {"ECRS": 16_152, "NSPIN": 28_751, "REGDN": 28_751, "REGUP": 28_751, "RRS": 28_751}
    ecrs = _node(mcpc, "ECRS")
    assert ecrs["interval_start_utc"].iloc[0] == _utc("2023-06-10 05:00")  # HE1 of 2023-06-10 CDT
    assert ecrs["price_usd_per_mwh"].iloc[0] == 10.00
    rrs = to_local(_node(mcpc, "RRS"))
    assert rrs[rrs["delivery_date"].dt.year == 2023]["price_usd_per_mwh"].mean() == pytest.approx(
        21.26, abs=0.005
    )
    regdn = _node(mcpc, "REGDN").set_index("interval_start_utc")["price_usd_per_mwh"]
    assert (regdn.loc[_utc("2023-11-05 06:00")], regdn.loc[_utc("2023-11-05 07:00")]) == (1.49, 4.98)
    per_day = rrs.groupby("delivery_date").size()
    assert per_day.loc[["2022-11-06", "2023-11-05", "2024-11-03"]].tolist() == [25] * 3
    assert int(rrs["repeated_hour_flag"].sum()) == 3


def test_sced_runs_floor_to_5_minute_intervals_keeping_the_last(load: Loader) -> None:
    west = _node(load(SCED), "HB_WEST").set_index("interval_start_utc")["price_usd_per_mwh"]
    assert len(west) == 121_522  # 123,296 SCED rows: 1 verbatim repeat, 1,773 re-runs merged
    assert west.loc[_utc("2024-01-01 06:00")] == 14.44  # 00:00:27 CST
    assert west.loc[_utc("2024-01-02 02:10")] == 45.37  # runs 20:10:14, 20:14:12, 20:14:52 CST: last
    assert west.loc[_utc("2024-01-02 02:15")] == 65.42  # runs 20:15:23, 20:16:26: last
    assert west.loc[_utc("2024-11-03 06:05")] == 20.55  # 01:05 CDT, runs 01:05:14 and 01:06:51
    assert west.loc[_utc("2024-11-03 07:05")] == 24.42  # 01:05 CST (repeat_hour_flag)
    houston = _node(load(SCED), "HB_HOUSTON").set_index("interval_start_utc")["price_usd_per_mwh"]
    assert houston.loc[_utc("2024-08-23 05:00")] == 20.22  # the run recorded twice, 00:04:31 CDT
    local = to_local(_node(load(SCED), "HB_WEST"))
    assert int(local["repeated_hour_flag"].sum()) == 12


def test_lz_pairs_keep_both_values(load: Loader) -> None:
    lz = load(LZ)
    lo = _node(lz, "LZ_SOUTH:lo").set_index("interval_start_utc")["price_usd_per_mwh"]
    hi = _node(lz, "LZ_SOUTH:hi").set_index("interval_start_utc")["price_usd_per_mwh"]
    t = _utc("2023-08-24 20:00")  # 15:00 CDT, the README's largest gap
    assert hi.loc[t] - lo.loc[t] == pytest.approx(34.01, abs=1e-9)
    pairs = [(_node(lz, f"{z}:lo"), _node(lz, f"{z}:hi")) for z in LZ8]
    assert all(a["interval_start_utc"].equals(b["interval_start_utc"]) for a, b in pairs)
    gaps = np.concatenate(
        [b["price_usd_per_mwh"].to_numpy() - a["price_usd_per_mwh"].to_numpy() for a, b in pairs]
    )
    assert (gaps >= 0).all()
    assert gaps.max() == pytest.approx(34.01, abs=1e-9)
    assert (gaps == 0).mean() == pytest.approx(0.7115, abs=0.0005)  # README: 71 % identical
