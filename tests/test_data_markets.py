"""Adapters of markets beyond ERCOT on the real shared files: counts, spans, DST days, versions, the
Nordic autumn row, a known answer per market computed from the raw file with the csv module, and
bad input (a file of one market under another's name, unknown node, wrong zone)."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pandas as pd
import pytest

from wattshift.data.eia_market import EIA_READERS, parse_eia_market
from wattshift.data.nordic import parse_nordic_dayahead, read_energinet_elspot, read_nordic_dayahead
from wattshift.data.pjm import parse_pjm_lmps, read_pjm_lmps
from wattshift.errors import DataError


@pytest.fixture(scope="module")
def markets(shared_data_dir: Path) -> Path:
    return shared_data_dir / "markets"


def _csv_rows(path: Path, skip: int = 0, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        for _ in range(skip):
            handle.readline()
        return list(csv.DictReader(handle, delimiter=delimiter))


# -- EIA files ---------------------------------------------------------------------------------

# (market, folder, file, data rows in the file (README), nodes, interval [min])
EIA_CASES = [
    ("MISO", "miso", "miso_lmp_rt_hr_hubs_2023.csv", 7_886, 8, 60),
    ("NYISO", "nyiso", "nyiso_lmp_rt_hr_zones_2023.csv", 7_594, 11, 60),
    ("ISONE", "isone", "isone_lmp_rt_hr_hubs_2024.csv", 7_566, 1, 60),
    ("SPP", "spp", "spp_lmp_rt_5min_hubs_2023Q3_LMPonly.csv", 13_069, 2, 5),
    ("CAISO", "caiso", "caiso_lmp_rt_15min_zones_2023Q1_LMPonly.csv", 8_610, 3, 15),
]


@pytest.mark.parametrize(("iso", "folder", "name", "rows", "nodes", "minutes"), EIA_CASES)
def test_eia_file_rows_nodes_and_step(
    markets: Path, iso: str, folder: str, name: str, rows: int, nodes: int, minutes: int
) -> None:
    frame = EIA_READERS[iso](markets / folder / name)
    assert frame["node"].nunique() == nodes
    assert set(frame["iso"]) == {iso} and set(frame["market"]) == {"rt"}
    assert set(frame["interval_minutes"]) == {minutes}
    per_node = frame.groupby("node").size()
    assert per_node.max() == rows  # one row per interval of the file (empty cells dropped)


def test_eia_span_is_utc_interval_ending_minus_one_step(markets: Path) -> None:
    frame = EIA_READERS["ISONE"](markets / "isone" / "isone_lmp_rt_hr_hubs_2024.csv")
    # README: UTC interval ending 2024-01-01 06:00 → 2024-12-05 22:00
    assert frame["interval_start_utc"].min() == pd.Timestamp("2024-01-01 05:00", tz="UTC")
    assert frame["interval_start_utc"].max() == pd.Timestamp("2024-12-05 21:00", tz="UTC")


def test_miso_mean_price_july_2021_by_hand(markets: Path) -> None:
    path = markets / "miso" / "miso_lmp_rt_hr_hubs_2021.csv"
    raw = _csv_rows(path, skip=3)
    local = "Local Timestamp Eastern Standard Time (Interval Beginning)"
    by_hand = statistics.fmean(
        float(r["Indiana Hub LMP"]) for r in raw if r[local].startswith("2021-07") and r["Indiana Hub LMP"]
    )
    frame = EIA_READERS["MISO"](path)
    july = frame[
        (frame["node"] == "Indiana Hub")
        & (frame["interval_start_utc"].dt.tz_convert("EST").dt.strftime("%Y-%m") == "2021-07")
    ]
    assert len(july) == 31 * 24
    assert july["price_usd_per_mwh"].mean() == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize(
    ("iso", "folder", "name", "node", "month"),
    [
        ("NYISO", "nyiso", "nyiso_lmp_rt_hr_zones_2022.csv", "J - New York City", "2022-12"),
        ("ISONE", "isone", "isone_lmp_rt_hr_hubs_2021.csv", "Internal Hub", "2021-02"),
        ("SPP", "spp", "spp_lmp_rt_5min_hubs_2024Q3_LMPonly.csv", "South Hub", "2024-08"),
        ("CAISO", "caiso", "caiso_lmp_rt_15min_zones_2022Q1_LMPonly.csv", "SP-15", "2022-03"),
    ],
)
def test_month_mean_by_hand(markets: Path, iso: str, folder: str, name: str, node: str, month: str) -> None:
    path = markets / folder / name
    skip = 3 if not name.endswith("_LMPonly.csv") else 0
    raw = _csv_rows(path, skip=skip)
    local = next(c for c in raw[0] if c.startswith("Local Timestamp") and "Beginning" in c)
    col = f"{node} LMP"
    by_hand = statistics.fmean(float(r[col]) for r in raw if r[local].startswith(month) and r[col])
    frame = EIA_READERS[iso](path)
    tz = {"NYISO": "America/New_York", "ISONE": "America/New_York", "SPP": "America/Chicago"}.get(
        iso, "America/Los_Angeles"
    )
    sel = frame[
        (frame["node"] == node)
        & (frame["interval_start_utc"].dt.tz_convert(tz).dt.strftime("%Y-%m") == month)
    ]
    assert sel["price_usd_per_mwh"].mean() == pytest.approx(by_hand, rel=1e-12)


def test_nyiso_dst_days_have_23_and_25_hours(markets: Path) -> None:
    frame = EIA_READERS["NYISO"](markets / "nyiso" / "nyiso_lmp_rt_hr_zones_2022.csv")
    west = frame[frame["node"] == "A - West"]
    days = west["interval_start_utc"].dt.tz_convert("America/New_York").dt.date.astype(str).value_counts()
    assert days["2022-03-13"] == 23
    assert days["2022-11-06"] == 25
    assert days["2022-07-01"] == 24


def test_caiso_dst_days_have_92_and_100_quarter_hours(markets: Path) -> None:
    for name, day, count in (("2023Q4", "2023-11-05", 100), ("2023Q1", "2023-03-12", 92)):
        frame = EIA_READERS["CAISO"](markets / "caiso" / f"caiso_lmp_rt_15min_zones_{name}_LMPonly.csv")
        np15 = frame[frame["node"] == "NP-15"]
        local = np15["interval_start_utc"].dt.tz_convert("America/Los_Angeles").dt.date.astype(str)
        assert local.value_counts()[day] == count


def test_eia_2023_q3_gap_is_not_filled(markets: Path) -> None:
    frame = EIA_READERS["SPP"](markets / "spp" / "spp_lmp_rt_5min_hubs_2023Q3_LMPonly.csv")
    north = frame[frame["node"] == "North Hub"]
    full_quarter = 92 * 288
    assert len(north) / full_quarter == pytest.approx(13_069 / 26_496, abs=1e-3)  # ~49 % held
    assert north["interval_start_utc"].diff().max() > pd.Timedelta(days=30)


def test_an_spp_file_read_as_caiso_fails_on_its_nodes(markets: Path) -> None:
    path = markets / "spp" / "spp_lmp_rt_5min_hubs_2022Q1_LMPonly.csv"
    with pytest.raises(DataError, match=r"these are SPP nodes.*under a CAISO name") as info:
        EIA_READERS["CAISO"](path)
    assert info.value.line == 1 and info.value.column == "North Hub LMP"


def test_a_nyiso_file_read_as_miso_fails_on_its_source_line(markets: Path) -> None:
    with pytest.raises(DataError, match="EIA file of NYISO, read as MISO") as info:
        EIA_READERS["MISO"](markets / "nyiso" / "nyiso_lmp_rt_hr_zones_2021.csv")
    assert info.value.line == 3


def test_local_column_in_another_zone_is_caught() -> None:
    text = (
        b"UTC Timestamp (Interval Ending),Local Timestamp Central Time (Interval Beginning),North Hub LMP\n"
        b"2022-01-01 06:05:00,2022-01-01 00:00:00,7.1\n"
        b"2022-01-01 06:10:00,2022-01-01 01:05:00,7.2\n"
    )
    with pytest.raises(DataError, match="not 2022-01-01T06:05:00") as info:
        parse_eia_market(text, iso="SPP", name="spp.csv")
    assert info.value.line == 3


def test_preamble_lines_are_counted_in_errors() -> None:
    text = (
        b"ISONE Hourly\nHourly real-time\nSource: EIA collected from ISONE\n"
        b"UTC Timestamp (Interval Ending),"
        b"Local Timestamp Eastern Time (Interval Beginning),Internal Hub LMP\n"
        b"2023-01-01 06:00:00,2023-01-01 00:00:00,36.99\n"
        b"2023-01-01 07:00:00,2023-01-01 01:00:00,abc\n"
    )
    with pytest.raises(DataError, match="not a number") as info:
        parse_eia_market(text, iso="ISONE", name="isone.csv")
    assert (info.value.line, info.value.column) == (6, "Internal Hub LMP")


# -- PJM ---------------------------------------------------------------------------------------


def test_pjm_keeps_the_current_version(markets: Path) -> None:
    path = markets / "pjm" / "pjm_rto_rt_hrl_lmps_2024.csv"
    raw = _csv_rows(path)
    assert len(raw) == 8_808
    frame = read_pjm_lmps(path)
    assert len(frame) == 8_784 == 366 * 24
    assert set(frame["node"]) == {"PJM-RTO"} and set(frame["market"]) == {"rt"}
    # the current row of a re-posted hour is version 2
    current = {r["datetime_beginning_utc"]: r for r in raw if r["row_is_current"] == "True"}
    assert current["3/5/2024 5:00:00 AM"]["version_nbr"] == "2"
    by_hand = statistics.fmean(float(r["total_lmp_rt"]) for r in current.values())
    assert frame["price_usd_per_mwh"].mean() == pytest.approx(by_hand, rel=1e-12)


def test_pjm_stale_current_flag_is_an_error() -> None:
    header = (
        "datetime_beginning_utc,datetime_beginning_ept,pnode_name,total_lmp_rt,row_is_current,version_nbr\n"
    )
    rows = (
        "3/5/2024 5:00:00 AM,3/5/2024 12:00:00 AM,PJM-RTO,10.0,True,1\n"
        "3/5/2024 5:00:00 AM,3/5/2024 12:00:00 AM,PJM-RTO,11.0,False,2\n"
    )
    with pytest.raises(DataError, match="higher version") as info:
        parse_pjm_lmps((header + rows).encode(), name="pjm_rt.csv")
    assert (info.value.line, info.value.column) == (2, "version_nbr")


def test_pjm_dst_days_in_eastern_time(markets: Path) -> None:
    frame = read_pjm_lmps(markets / "pjm" / "pjm_rto_rt_hrl_lmps_2024.csv")
    days = frame["interval_start_utc"].dt.tz_convert("America/New_York").dt.date.astype(str).value_counts()
    assert days["2024-03-10"] == 23 and days["2024-11-03"] == 25


def test_pjm_hub_file_and_unknown_node(markets: Path) -> None:
    frame = read_pjm_lmps(markets / "pjm" / "pjm_hubs_da_hrl_lmps_2025-05-01_2025-07-31.csv")
    assert frame.groupby("node").size().eq(2_209).all() and frame["node"].nunique() == 12
    text = (
        "datetime_beginning_utc,datetime_beginning_ept,pnode_name,total_lmp_da,row_is_current,version_nbr\n"
        "5/1/2025 4:00:00 AM,5/1/2025 12:00:00 AM,WESTERN HUBB,30.0,True,1\n"
    )
    with pytest.raises(DataError, match="unknown PJM node 'WESTERN HUBB'"):
        parse_pjm_lmps(text.encode(), name="pjm_da.csv")


def test_pjm_eastern_and_utc_must_agree() -> None:
    text = (
        "datetime_beginning_utc,datetime_beginning_ept,pnode_name,total_lmp_da,row_is_current,version_nbr\n"
        "5/1/2025 4:00:00 AM,5/1/2025 1:00:00 AM,WESTERN HUB,30.0,True,1\n"
    )
    with pytest.raises(DataError, match="America/New_York") as info:
        parse_pjm_lmps(text.encode(), name="pjm_da.csv")
    assert info.value.column == "datetime_beginning_ept"


# -- Nordic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "rows"), [(2022, 8_760), (2023, 8_760), (2024, 8_784), (2025, 15_387)])
def test_nordic_rows_and_steps(markets: Path, year: int, rows: int) -> None:
    frame = read_nordic_dayahead(markets / "nordic" / "SE3" / f"{year}.csv")
    assert len(frame) == rows
    assert list(frame.columns)[-1] == "price_eur_per_mwh"
    if year == 2025:  # 15-minute MTU from 2025-10-01 00:00 Stockholm
        first_15 = frame.loc[frame["interval_minutes"] == 15, "interval_start_utc"].min()
        assert first_15 == pd.Timestamp("2025-09-30 22:00", tz="UTC")
        assert (frame["interval_minutes"] == 15).sum() == 92 * 96 + 4  # Oct-Dec, fall-back day +4


def test_nordic_autumn_row_is_one_hour_and_matches_energinet(markets: Path) -> None:
    se3 = read_nordic_dayahead(markets / "nordic" / "SE3" / "2024.csv")
    assert se3.attrs["autumn_end_labels_fixed"] == 1
    day = se3[se3["interval_start_utc"].dt.tz_convert("Europe/Stockholm").dt.date.astype(str) == "2024-10-27"]
    assert len(day) == 25  # the long day keeps both 02:00 hours
    # the "02:00+02:00 → 03:00+01:00" row starts at 00:00 UTC; the next at 01:00 UTC
    prices = day.set_index("interval_start_utc")["price_eur_per_mwh"]
    energinet = _csv_rows(markets / "nordic" / "energinet_Elspotprices_SE3_SE4_2023_2024.csv", delimiter=";")
    by_utc = {
        r["HourUTC"]: float(r["SpotPriceEUR"].replace(",", ".")) for r in energinet if r["PriceArea"] == "SE3"
    }
    assert prices[pd.Timestamp("2024-10-27 00:00", tz="UTC")] == pytest.approx(by_utc["2024-10-27 00:00:00"])
    assert prices[pd.Timestamp("2024-10-27 01:00", tz="UTC")] == pytest.approx(by_utc["2024-10-27 01:00:00"])
    assert by_utc["2024-10-27 00:00:00"] == -0.05 and by_utc["2024-10-27 01:00:00"] == -0.11


def test_nordic_spring_day_has_23_hours(markets: Path) -> None:
    se1 = read_nordic_dayahead(markets / "nordic" / "SE1" / "2023.csv")
    days = se1["interval_start_utc"].dt.tz_convert("Europe/Stockholm").dt.date.astype(str).value_counts()
    assert days["2023-03-26"] == 23 and days["2023-10-29"] == 25


def test_nordic_mean_by_hand(markets: Path) -> None:
    path = markets / "nordic" / "SE4" / "2023.csv"
    raw = _csv_rows(path)
    by_hand = 1000 * statistics.fmean(
        float(r["EUR_per_kWh"]) for r in raw if r["time_start"].startswith("2023-08")
    )
    frame = read_nordic_dayahead(path)
    aug = frame[
        frame["interval_start_utc"].dt.tz_convert("Europe/Stockholm").dt.strftime("%Y-%m") == "2023-08"
    ]
    assert aug["price_eur_per_mwh"].mean() == pytest.approx(by_hand, rel=1e-12)


def test_nordic_end_label_off_elsewhere_is_an_error() -> None:
    text = (
        "time_start,time_end,SEK_per_kWh,EUR_per_kWh,EXR\n"
        "2024-01-01T00:00:00+01:00,2024-01-01T01:00:00+01:00,0.3,0.03,11.1\n"
        "2024-01-01T01:00:00+01:00,2024-01-01T03:00:00+01:00,0.3,0.03,11.1\n"
    )
    with pytest.raises(DataError, match="not one 60-minute step") as info:
        parse_nordic_dayahead(text.encode(), zone="SE3", name="SE3/2024.csv")
    assert (info.value.line, info.value.column) == (3, "time_end")


def test_nordic_unknown_zone_folder() -> None:
    with pytest.raises(DataError, match="unknown Nordic zone 'NO1'"):
        parse_nordic_dayahead(b"time_start,time_end,EUR_per_kWh\n", zone="NO1", name="NO1/2024.csv")


def test_energinet_reads_both_areas_with_the_repeated_hour(markets: Path) -> None:
    frame = read_energinet_elspot(markets / "nordic" / "energinet_Elspotprices_SE3_SE4_2023_2024.csv")
    assert frame.groupby("node").size().to_dict() == {"SE3": 17_544, "SE4": 17_544}
    se4 = frame[frame["node"] == "SE4"]
    days = se4["interval_start_utc"].dt.tz_convert("Europe/Stockholm").dt.date.astype(str).value_counts()
    assert days["2023-10-29"] == 25 and days["2024-03-31"] == 23
    # the only disagreement with the republished file (README): 2023-05-28 12:00 UTC
    se3 = frame[frame["node"] == "SE3"].set_index("interval_start_utc")["price_eur_per_mwh"]
    assert se3[pd.Timestamp("2023-05-28 12:00", tz="UTC")] == -10.0


def test_dst_days_in_miso_and_isone_zones(markets: Path) -> None:
    miso = EIA_READERS["MISO"](markets / "miso" / "miso_lmp_rt_hr_hubs_2022.csv")
    texas = miso[miso["node"] == "Texas Hub"]["interval_start_utc"].dt.tz_convert("EST")
    days = texas.dt.date.astype(str).value_counts()
    assert days["2022-11-06"] == 24 and days["2022-03-13"] == 24  # MISO's clock has no DST
    isone = EIA_READERS["ISONE"](markets / "isone" / "isone_lmp_rt_hr_hubs_2021.csv")
    days = isone["interval_start_utc"].dt.tz_convert("America/New_York").dt.date.astype(str).value_counts()
    assert days["2021-11-07"] == 25 and days["2021-03-14"] == 23
