"""DST round trips of every ERCOT local-time layout on small hand-written inputs.

For each layout and each clock change (23-hour spring day 2023-03-12, 25-hour fall day
2023-11-05): parse → UTC → :func:`to_local` → the same local labels as in the input, and the
UTC intervals are consecutive with the expected count. UTC values are computed by hand with fixed
offsets (CST = UTC-6, CDT = UTC-5), independent of the tz database used by the code.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattshift.data.ercot import (
    from_local,
    parse_ercot_dam_as_mcpc,
    parse_ercot_dam_spp_wide,
    parse_ercot_rtm_spp_np6905,
    parse_ercot_rtm_spp_wide_utc,
    parse_ercot_sced_lmp_5min,
    parse_gridstatus_hubavg,
    to_local,
)

SPRING = datetime(2023, 3, 12)  # 02:00 CST → 03:00 CDT
FALL = datetime(2023, 11, 5)  # 02:00 CDT → 01:00 CST
CST = timedelta(hours=6)  # UTC = wall + 6 h
CDT = timedelta(hours=5)
H = timedelta(hours=1)
Q = timedelta(minutes=15)


def _utc(naive_utc: datetime) -> pd.Timestamp:
    return pd.Timestamp(naive_utc, tz="UTC")


def _spring_hours() -> list[int]:
    return [1, 2, *range(4, 25)]


def _fall_hours() -> list[tuple[int, bool]]:
    return [(1, False), (2, False), (2, True), *((h, False) for h in range(3, 25))]


def _hour_start_utc(day: datetime, hour_ending: int, repeated: bool) -> datetime:
    """Hand rule: wall start = day + (HE-1) h; CDT before the change, CST after."""
    wall = day + (hour_ending - 1) * H
    if day == SPRING:
        return wall + (CST if hour_ending <= 2 else CDT)
    if day == FALL:
        return wall + (CDT if hour_ending <= 2 and not repeated else CST)
    raise AssertionError(day)


def _label(day: datetime, hour_ending: int) -> str:
    return (day + hour_ending * H).strftime("%Y-%m-%d %H:%M:%S")


def _hourly_csv(header: str, labels: list[str]) -> bytes:
    cols = header.count(",")
    rows = [
        f"{lab}," + ",".join(f"{10 + i + j / 10:.2f}" for j in range(cols)) for i, lab in enumerate(labels)
    ]
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def _assert_consecutive(utc: pd.Series, step: timedelta) -> None:
    diffs = pd.DatetimeIndex(utc).to_series().diff().dropna()
    assert (diffs == step).all()


# --- DAM SPP wide (hour-ending, merged fall hour) ------------------------------------------------


def test_dam_wide_spring_day_has_23_consecutive_hours_and_round_trips() -> None:
    labels = [_label(SPRING, he) for he in _spring_hours()]
    frame = parse_ercot_dam_spp_wide(_hourly_csv("hour_ending_cpt,HB_WEST", labels), name="spring.csv")
    assert len(frame) == 23
    _assert_consecutive(frame["interval_start_utc"], H)
    assert frame["interval_start_utc"].iloc[0] == _utc(datetime(2023, 3, 12, 6))
    assert frame["interval_start_utc"].iloc[-1] == _utc(datetime(2023, 3, 13, 4))
    local = to_local(frame)
    assert list(local["hour_ending_local"].dt.strftime("%Y-%m-%d %H:%M:%S")) == labels
    assert list(local["delivery_hour"]) == _spring_hours()
    assert not local["repeated_hour_flag"].any()


def test_dam_wide_fall_day_maps_merged_hour_to_cdt_and_leaves_cst_missing() -> None:
    labels = [_label(FALL, he) for he in range(1, 25)]  # 24 labels: the repeated HE2 merged
    frame = parse_ercot_dam_spp_wide(_hourly_csv("hour_ending_cpt,HB_WEST,LZ_WEST", labels), name="f.csv")
    west = frame[frame["node"] == "HB_WEST"]
    starts = list(west["interval_start_utc"])
    expected = [_utc(_hour_start_utc(FALL, he, False)) for he in range(1, 25)]
    assert starts == expected
    # the local day spans 25 hours of UTC; exactly one (01:00 CST = 07:00 UTC) is absent
    span = pd.date_range(expected[0], expected[-1], freq="1h")
    assert len(span) == 25
    assert set(span) - set(starts) == {_utc(datetime(2023, 11, 5, 7))}
    assert west["price_usd_per_mwh"].iloc[1] == pytest.approx(11.0)  # the merged row, as CDT
    local = to_local(west)
    assert list(local["hour_ending_local"].dt.strftime("%Y-%m-%d %H:%M:%S")) == labels
    assert not local["repeated_hour_flag"].any()
    dropped = parse_ercot_dam_spp_wide(
        _hourly_csv("hour_ending_cpt,HB_WEST,LZ_WEST", labels), name="f.csv", merged_fall_hour="drop"
    )
    assert len(dropped) == len(frame) - 2
    assert _utc(datetime(2023, 11, 5, 6)) not in set(dropped["interval_start_utc"])


# --- DAM ancillary MCPC (hour-ending, repeated label = two hours) --------------------------------


def test_as_mcpc_spring_day_has_23_hours() -> None:
    labels = [_label(SPRING, he) for he in _spring_hours()]
    frame = parse_ercot_dam_as_mcpc(_hourly_csv("hour_ending_cpt,REGUP,RRS", labels), name="as.csv")
    regup = frame[frame["node"] == "REGUP"]
    assert len(regup) == 23
    assert list(regup["interval_start_utc"]) == [
        _utc(_hour_start_utc(SPRING, he, False)) for he in _spring_hours()
    ]
    assert list(to_local(regup)["delivery_hour"]) == _spring_hours()


def test_as_mcpc_fall_day_reads_the_repeated_label_as_cdt_then_cst() -> None:
    hours = _fall_hours()
    labels = [_label(FALL, he) for he, _ in hours]
    frame = parse_ercot_dam_as_mcpc(_hourly_csv("hour_ending_cpt,REGDN,ECRS", labels), name="as.csv")
    regdn = frame[frame["node"] == "REGDN"]
    assert len(regdn) == 25
    _assert_consecutive(regdn["interval_start_utc"], H)
    assert list(regdn["interval_start_utc"]) == [_utc(_hour_start_utc(FALL, he, r)) for he, r in hours]
    # first reading (price 11.00) is 06:00 UTC = 01:00 CDT; second (12.00) is 07:00 UTC = 01:00 CST
    assert regdn["price_usd_per_mwh"].iloc[1:3].tolist() == [11.0, 12.0]
    local = to_local(regdn)
    assert list(local["hour_ending_local"].dt.strftime("%Y-%m-%d %H:%M:%S")) == labels
    assert list(zip(local["delivery_hour"], local["repeated_hour_flag"], strict=True)) == hours


# --- NP6-905 long (delivery fields) --------------------------------------------------------------


def _np6905_csv(day: datetime, hours: list[tuple[int, bool]], node: str = "HB_WEST") -> bytes:
    lines = ["delivery_date,delivery_hour,delivery_interval,repeated_hour_flag,settlement_point,spp_usd_mwh"]
    for k, (he, rep) in enumerate(hours):
        for iv in range(1, 5):
            price = -5.0 + k + iv / 100
            lines.append(f"{day:%m/%d/%Y},{he},{iv},{'Y' if rep else 'N'},{node},{price:.2f}")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("day", "hours", "n_rows"),
    [(SPRING, [(h, False) for h in _spring_hours()], 92), (FALL, _fall_hours(), 100)],
    ids=["spring-23h", "fall-25h"],
)
def test_np6905_dst_day_round_trips_delivery_fields(
    day: datetime, hours: list[tuple[int, bool]], n_rows: int
) -> None:
    frame = parse_ercot_rtm_spp_np6905(_np6905_csv(day, hours), name="np6905.csv")
    assert len(frame) == n_rows
    _assert_consecutive(frame["interval_start_utc"], Q)
    expected = [_utc(_hour_start_utc(day, he, rep) + (iv - 1) * Q) for he, rep in hours for iv in range(1, 5)]
    assert list(frame["interval_start_utc"]) == expected
    local = to_local(frame)
    got = list(
        zip(local["delivery_hour"], local["delivery_interval"], local["repeated_hour_flag"], strict=True)
    )
    assert got == [(he, iv, rep) for he, rep in hours for iv in range(1, 5)]
    assert (local["delivery_date"] == pd.Timestamp(day)).all()
    assert list(from_local(local)) == expected


def test_np6905_repeated_hour_interleaved_gives_the_same_frame_as_blocks() -> None:
    blocks = _np6905_csv(FALL, _fall_hours()).decode().splitlines()
    header, rows = blocks[0], blocks[1:]
    cdt, cst = rows[4:8], rows[8:12]  # HE2 N intervals 1-4, HE2 Y intervals 1-4
    interleaved = [r for pair in zip(cdt, cst, strict=True) for r in pair]
    text = "\n".join([header, *rows[:4], *interleaved, *rows[12:]]) + "\n"
    a = parse_ercot_rtm_spp_np6905(_np6905_csv(FALL, _fall_hours()), name="a.csv")
    b = parse_ercot_rtm_spp_np6905(text.encode(), name="b.csv")
    pd.testing.assert_frame_equal(a, b)


# --- wide UTC + CPT-with-offset ------------------------------------------------------------------


def _wide_utc_csv(day: datetime, n_hours: int) -> tuple[bytes, list[str]]:
    """A local day's 15-min rows with hand-computed UTC and offset strings."""
    lines, cpt = ["interval_start_utc,interval_start_cpt,HB_NORTH,HB_WEST"], []
    start_utc = day + (CST if day == SPRING else CDT)
    for k in range(n_hours * 4):
        u = start_utc + k * Q
        if day == SPRING:
            offset = CST if u < datetime(2023, 3, 12, 8) else CDT
        else:
            offset = CDT if u < datetime(2023, 11, 5, 7) else CST
        wall = u - offset
        text = f"{wall:%Y-%m-%dT%H:%M:%S}-0{offset.seconds // 3600}:00"
        cpt.append(text)
        lines.append(f"{u:%Y-%m-%dT%H:%M:%S}Z,{text},{20 + k / 4:.2f},{-30 + k:.2f}")
    return ("\n".join(lines) + "\n").encode(), cpt


@pytest.mark.parametrize(("day", "n_hours"), [(SPRING, 23), (FALL, 25)], ids=["spring-23h", "fall-25h"])
def test_wide_utc_dst_day_round_trips_cpt_strings(day: datetime, n_hours: int) -> None:
    data, cpt = _wide_utc_csv(day, n_hours)
    frame = parse_ercot_rtm_spp_wide_utc(data, name="hubs.csv")
    west = frame[frame["node"] == "HB_WEST"]
    assert len(west) == n_hours * 4
    _assert_consecutive(west["interval_start_utc"], Q)
    local = to_local(west)
    iso = local["interval_start_local"].map(lambda t: t.isoformat())
    assert list(iso) == cpt
    assert (local["delivery_date"] == pd.Timestamp(day)).all()
    assert local["repeated_hour_flag"].sum() == (4 if day == FALL else 0)


# --- SCED per-run timestamps ---------------------------------------------------------------------


def _sced_parquet(rows: list[tuple[str, bool, float]]) -> bytes:
    frame = pd.DataFrame(
        {
            "sced_timestamp_cpt": pd.to_datetime([r[0] for r in rows]),
            "repeat_hour_flag": [r[1] for r in rows],
            "settlement_point": "HB_WEST",
            "lmp_usd_mwh": [r[2] for r in rows],
        }
    )
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()


def test_sced_fall_hour_interleaved_runs_floor_to_cdt_and_cst_intervals() -> None:
    rows = [
        ("2024-11-03 00:55:13", False, 18.65),
        ("2024-11-03 01:00:13", True, 31.03),
        ("2024-11-03 01:00:14", False, 15.90),
        ("2024-11-03 01:05:12", True, 24.42),
        ("2024-11-03 01:05:14", False, 19.27),
        ("2024-11-03 01:06:51", False, 20.55),  # second run in 01:05 CDT: this one is kept
        ("2024-11-03 02:00:12", False, 21.46),
    ]
    frame = parse_ercot_sced_lmp_5min(_sced_parquet(rows), name="sced.parquet")
    got = dict(zip(frame["interval_start_utc"], frame["price_usd_per_mwh"], strict=True))
    assert got == {
        _utc(datetime(2024, 11, 3, 5, 55)): 18.65,  # 00:55 CDT
        _utc(datetime(2024, 11, 3, 6, 0)): 15.90,  # 01:00 CDT
        _utc(datetime(2024, 11, 3, 6, 5)): 20.55,  # 01:05 CDT, last of two runs
        _utc(datetime(2024, 11, 3, 7, 0)): 31.03,  # 01:00 CST
        _utc(datetime(2024, 11, 3, 7, 5)): 24.42,  # 01:05 CST
        _utc(datetime(2024, 11, 3, 8, 0)): 21.46,  # 02:00 CST
    }
    local = to_local(frame)
    walls = local["interval_start_local"].dt.tz_localize(None).dt.strftime("%H:%M")
    assert list(zip(walls, local["repeated_hour_flag"], strict=True)) == [
        ("00:55", False),
        ("01:00", False),
        ("01:05", False),
        ("01:00", True),
        ("01:05", True),
        ("02:00", False),
    ]


def test_sced_spring_gap_is_one_utc_step() -> None:
    rows = [("2024-03-10 01:50:18", False, 120.48), ("2024-03-10 01:55:20", False, 108.99)]
    rows += [("2024-03-10 03:00:24", False, 68.82), ("2024-03-10 03:05:21", False, 70.05)]
    frame = parse_ercot_sced_lmp_5min(_sced_parquet(rows), name="sced.parquet")
    _assert_consecutive(frame["interval_start_utc"], timedelta(minutes=5))
    assert frame["interval_start_utc"].iloc[2] == _utc(datetime(2024, 3, 10, 8, 0))


# --- UTC layouts through a local day -------------------------------------------------------------


@pytest.mark.parametrize(("day", "per_day"), [(SPRING, 92), (FALL, 100)], ids=["spring", "fall"])
def test_utc_parquet_local_day_counts(day: datetime, per_day: int) -> None:
    utc = pd.date_range(_utc(day - timedelta(days=1)), periods=96 * 3, freq="15min")
    frame = pd.DataFrame(
        {"interval_start_utc": utc, "settlement_point": "HB_HUBAVG", "price_usd_per_mwh": 1.5}
    )
    buf = io.BytesIO()
    frame.to_parquet(buf)
    parsed = parse_gridstatus_hubavg(buf.getvalue(), name="ercot_rt_spp_15min_hb_hubavg_x.parquet")
    counts = to_local(parsed).groupby("delivery_date").size()
    assert counts.loc[pd.Timestamp(day)] == per_day


# --- property: to_local then from_local is the identity on UTC -----------------------------------

_TRANSITION_UTC = (
    "2022-03-13 08:00",
    "2022-11-06 07:00",
    "2023-03-12 08:00",
    "2023-11-05 07:00",
    "2024-03-10 08:00",
    "2024-11-03 07:00",
    "2025-03-09 08:00",
    "2025-11-02 07:00",
)
_TRANSITIONS = [pd.Timestamp(t, tz="UTC") for t in _TRANSITION_UTC]


@settings(max_examples=50, deadline=None)
@given(
    transition=st.sampled_from(_TRANSITIONS),
    offset_steps=st.integers(min_value=-300, max_value=300),
    n_steps=st.integers(min_value=1, max_value=400),
    minutes=st.sampled_from([5, 15, 60]),
)
def test_to_local_from_local_round_trip_across_dst(
    transition: pd.Timestamp, offset_steps: int, n_steps: int, minutes: int
) -> None:
    start = transition.floor("h") + pd.Timedelta(minutes=minutes * offset_steps)
    utc = pd.date_range(start, periods=n_steps, freq=f"{minutes}min")
    frame = pd.DataFrame({"interval_start_utc": utc, "interval_minutes": minutes})
    local = to_local(frame)
    assert (from_local(local) == frame["interval_start_utc"]).all()
    # hour-ending labels with the repeated flag also identify each hour exactly
    hours = local.drop_duplicates(["hour_ending_local", "repeated_hour_flag"])
    assert len(hours) == len(np.unique(utc.floor("h")))
    assert local["delivery_interval"].between(1, 60 // minutes).all()
    spring_day = local["delivery_date"].isin(
        [t.tz_convert("America/Chicago").normalize().tz_localize(None) for t in _TRANSITIONS if t.month == 3]
    )
    assert (local.loc[spring_day, "delivery_hour"] != 3).all()
