"""The bad-file corpus of ``tests/test_integrity_corpus.py``: each case built from slices of the real files.

Nothing here is a committed data file: :class:`Slices` reads small slices of the shared data
(``$WATTSHIFT_DATA_DIR``) and every case edits them in memory (a cut, a cell, a header, an
encoding). :func:`cases` returns ``name → Case``; a case says which real file name it poses as,
the exit code of ``wattshift data ingest``, and what its message must name (line and/or column,
and a phrase).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CM = "coinmetrics_btc_daily_2009-01-03_2026-03-23.csv"
CM_EXT = "coinmetrics_btc_daily_ext_2026-03-23_2026-06-01.csv"
FEAR = "alternative_me_fear_greed_daily_2018-02-01_2026-08-22.csv"
ASICS = "asic_models.csv"
GPU = "gpu_rental_prices.csv"
HUBS = "ercot_rtm_spp_15min_hubs_2023.csv"
SEL = "ercot_rtm_spp_15min_hubs_2024_2025_selected_months.csv"
DAM = "ercot_dam_spp_hub_lz_hourly_2022_2025.csv"
AS = "ercot_dam_as_mcpc_hourly_2022_2025.csv"
SCED = "ercot_rt_sced_lmp_5min_hubs_2024_2025.parquet"
RT_AVG = "ercot_rt_spp_15min_hb_hubavg_2024_2025.parquet"
LZ = "ercot_rtm_spp_15min_lz_pairs_2023.parquet"

BAD_INPUT, NOT_IN_WAREHOUSE, BUSY = 3, 4, 6


def _find(shared: Path, name: str) -> Path:
    return next(shared.glob(f"*/{name}"))


@functools.cache
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def text(lines: list[str] | tuple[str, ...]) -> bytes:
    """Lines joined as a complete file (with its final line break)."""
    return ("\n".join(lines) + "\n").encode()


def cut(lines: list[str] | tuple[str, ...], keep_chars: int) -> bytes:
    """The file cut ``keep_chars`` characters before its end (no final line break)."""
    return ("\n".join(lines))[: -keep_chars or None].encode()


def set_cell(lines: list[str] | tuple[str, ...], line: int, column: str, value: str) -> list[str]:
    """Copy of ``lines`` with the cell of ``column`` on 1-based ``line`` set to ``value`` (CSV-quoted)."""
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[line - 1]]))
    row[header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(row)
    out = list(lines)
    out[line - 1] = buf.getvalue()
    return out


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def set_value(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(
        index, table.schema.field(index), pa.array(values, table.schema.field(index).type)
    )


def set_all(table: pa.Table, column: str, old: str, new: str) -> pa.Table:
    values = [new if v == old else v for v in table.column(column).to_pylist()]
    index = table.schema.get_field_index(column)
    return table.set_column(
        index, table.schema.field(index), pa.array(values, table.schema.field(index).type)
    )


@dataclass(frozen=True)
class Slices:
    """Small slices of the real files (lists of lines; parquet tables)."""

    cm: list[str]
    ext: list[str]
    fear: list[str]
    asics: list[str]
    gpu: list[str]
    hubs: list[str]
    sel: list[str]
    dam: list[str]
    dam_all: tuple[str, ...]
    as_: list[str]
    sced: pa.Table
    rt_avg: pa.Table
    lz: pa.Table

    @classmethod
    def read(cls, shared: Path) -> Slices:
        cm = _lines(_find(shared, CM))
        start = next(i for i, line in enumerate(cm) if line.startswith("2020-01-01"))
        hubs = _lines(_find(shared, HUBS))
        return cls(
            cm=[cm[0], *cm[start : start + 91]],  # 2020-01-01 .. 2020-03-31
            ext=list(_lines(_find(shared, CM_EXT))),
            fear=list(_lines(_find(shared, FEAR))[:201]),
            asics=list(_lines(_find(shared, ASICS))),
            gpu=list(_lines(_find(shared, GPU))),
            hubs=[hubs[0], *hubs[-192:]],  # 2023-12-30 06:00Z .. 2024-01-01 05:45Z
            sel=list(_lines(_find(shared, SEL))[:201]),
            dam=list(_lines(_find(shared, DAM))[:49]),
            dam_all=_lines(_find(shared, DAM)),
            as_=list(_lines(_find(shared, AS))[:49]),
            sced=pq.read_table(_find(shared, SCED)).slice(0, 600),
            rt_avg=pq.read_table(_find(shared, RT_AVG)).slice(0, 400),
            lz=pq.read_table(_find(shared, LZ)).slice(0, 400),
        )

    def files(self) -> dict[str, bytes]:
        """The base files: every slice under its real name (what the base warehouse holds)."""
        return {
            CM: text(self.cm),
            CM_EXT: text(self.ext),
            FEAR: text(self.fear),
            ASICS: text(self.asics),
            GPU: text(self.gpu),
            HUBS: text(self.hubs),
            SEL: text(self.sel),
            DAM: text(self.dam),
            AS: text(self.as_),
            SCED: parquet_bytes(self.sced),
            RT_AVG: parquet_bytes(self.rt_avg),
            LZ: parquet_bytes(self.lz),
        }


@dataclass(frozen=True)
class Case:
    """One bad file: the name it poses as, its bytes, and what the refusal must say.

    ``line``/``column``: what the message must name (``None``: not checked); ``phrase``: a
    substring of the message.
    """

    file: str
    build: Callable[[Slices], bytes]
    line: int | None
    column: str | None
    phrase: str
    code: int = BAD_INPUT


def _future_row(lines: list[str], first: str, new_first: str) -> list[str]:
    return [*lines, lines[-1].replace(first, new_first, 1)]


def _spring_dam(s: Slices) -> bytes:
    spring = next(i for i, line in enumerate(s.dam_all) if line.startswith("2024-03-10 04:00:00"))
    rows = [*s.dam_all[spring - 3 : spring], s.dam_all[spring].replace("04:00:00", "03:00:00", 1)]
    return text([s.dam_all[0], *rows, *s.dam_all[spring + 1 : spring + 4]])


def _noise(n: int) -> bytes:
    return random.Random(12).randbytes(n)


def cases() -> dict[str, Case]:
    """Every corpus case by name (see the module docstring)."""
    c: dict[str, Case] = {}
    # -- truncations: cut inside the last field, mid-line, fewer fields, half a file -----------------
    c["hubs cut inside last field (14.73 -> 1)"] = Case(
        HUBS, lambda s: cut(s.hubs, 4), 193, None, "truncated"
    )
    c["hubs last row with fewer fields"] = Case(
        HUBS, lambda s: text([*s.hubs[:-1], s.hubs[-1][:40]]), 193, None, "fields"
    )
    c["hubs half file"] = Case(
        HUBS, lambda s: text(s.hubs)[: len(text(s.hubs)) // 2], None, None, "truncated"
    )
    c["coinmetrics ext cut mid-line"] = Case(CM_EXT, lambda s: cut(s.ext, 30), 72, None, "truncated")
    c["coinmetrics cut inside last field"] = Case(CM, lambda s: cut(s.cm, 2), 92, None, "truncated")
    c["fear & greed cut mid-line"] = Case(FEAR, lambda s: cut(s.fear, 8), 201, None, "truncated")
    c["asics cut mid-line"] = Case(ASICS, lambda s: cut(s.asics, 20), 51, None, "truncated")
    c["gpu cut mid-line"] = Case(GPU, lambda s: cut(s.gpu, 15), 685, None, "truncated")
    c["dam cut inside last field"] = Case(DAM, lambda s: cut(s.dam, 2), 49, None, "truncated")
    c["ancillary cut mid-line"] = Case(AS, lambda s: cut(s.as_, 10), 49, None, "truncated")
    c["selected months cut inside last field"] = Case(SEL, lambda s: cut(s.sel, 1), 201, None, "truncated")
    c["header cut"] = Case(FEAR, lambda s: s.fear[0][:12].encode(), 2, None, "no data rows")
    # -- clean truncations of stored files: history would shrink ------------------------------------
    c["coinmetrics cut at a line (2020-03-01)"] = Case(
        CM, lambda s: text(s.cm[:61]), None, None, "2020-03-31"
    )
    c["coinmetrics ext cut at a line"] = Case(CM_EXT, lambda s: text(s.ext[:31]), None, None, "would delete")
    c["fear & greed cut at a line"] = Case(FEAR, lambda s: text(s.fear[:101]), None, None, "would delete 100")
    c["hubs cut at a line"] = Case(HUBS, lambda s: text(s.hubs[:97]), None, None, "would delete 672")
    c["gpu cut at a line"] = Case(GPU, lambda s: text(s.gpu[:6]), None, None, "would delete")
    c["asics cut at a line"] = Case(ASICS, lambda s: text(s.asics[:11]), None, None, "would delete")
    c["dam cut at a line"] = Case(DAM, lambda s: text(s.dam[:25]), None, None, "would delete")
    c["selected months cut at a line"] = Case(
        SEL, lambda s: text(s.sel[:101]), None, None, "would delete 100"
    )
    c["hubs price cell emptied"] = Case(
        HUBS, lambda s: text(set_cell(s.hubs, 50, "HB_WEST", "")), None, None, "would delete 1 "
    )
    c["sced parquet half the rows"] = Case(
        SCED, lambda s: parquet_bytes(s.sced.slice(0, 300)), None, None, "would delete"
    )
    # -- decoding: compressed, binary, mis-encoded -------------------------------------------------
    c["gzip hubs"] = Case(HUBS, lambda s: gzip.compress(text(s.hubs)), 1, None, "gzip")
    c["gzip fear & greed"] = Case(FEAR, lambda s: gzip.compress(text(s.fear)), 1, None, "gzip")
    c["parquet bytes named .csv"] = Case(CM_EXT, lambda s: parquet_bytes(s.sced), 1, None, "parquet")
    c["random binary asics"] = Case(ASICS, lambda s: _noise(4096), 1, None, "binary data")
    c["NUL byte in coinmetrics"] = Case(
        CM, lambda s: text(s.cm).replace(s.cm[9].encode(), s.cm[9].encode() + b"\x00", 1), 10, None, "NUL"
    )
    c["latin-1 byte in gpu"] = Case(
        GPU,
        lambda s: (
            text(s.gpu[:3]) + s.gpu[3].encode().replace(b",", b",Caf\xe9 ", 1) + b"\n" + text(s.gpu[4:])
        ),
        4,
        None,
        "UTF-8",
    )
    c["utf-16 fear & greed"] = Case(FEAR, lambda s: text(s.fear).decode().encode("utf-16"), 1, None, "binary")
    c["cp1252 quote in asics"] = Case(
        ASICS, lambda s: text(s.asics).replace(b"Bitmain", b"\x93Bitmain\x94", 1), 2, None, "UTF-8"
    )
    # -- corrupt parquet ---------------------------------------------------------------------------
    c["parquet truncated"] = Case(SCED, lambda s: parquet_bytes(s.sced)[:-100], None, None, "parquet")
    c["parquet random bytes"] = Case(SCED, lambda s: b"PAR1" + _noise(2000), None, None, "parquet")
    c["parquet zero bytes"] = Case(RT_AVG, lambda s: b"", None, None, "empty")
    c["csv text named .parquet"] = Case(LZ, lambda s: text(s.hubs), None, None, "parquet")
    # -- one missing-value rule: empty = missing, NaN/inf text or float = error -----------------------
    c["NaN text in hubs"] = Case(
        HUBS, lambda s: text(set_cell(s.hubs, 50, "HB_WEST", "NaN")), 50, "HB_WEST", "number"
    )
    c["inf text in hubs"] = Case(
        HUBS, lambda s: text(set_cell(s.hubs, 60, "HB_PAN", "inf")), 60, "HB_PAN", "finite"
    )
    c["-inf text in dam"] = Case(DAM, lambda s: text(set_cell(s.dam, 7, "LZ_WEST", "-inf")), 7, "LZ_WEST", "")
    c["NaN text in fear & greed"] = Case(
        FEAR, lambda s: text(set_cell(s.fear, 9, "value", "NaN")), 9, "value", ""
    )
    c["nan text in coinmetrics price"] = Case(
        CM, lambda s: text(set_cell(s.cm, 30, "PriceUSD", "nan")), 30, "PriceUSD", ""
    )
    c["NaN text in ancillary"] = Case(AS, lambda s: text(set_cell(s.as_, 5, "REGUP", "NaN")), 5, "REGUP", "")
    c["NaN text in selected months"] = Case(
        SEL, lambda s: text(set_cell(s.sel, 12, "spp_usd_mwh", "NaN")), 12, "spp_usd_mwh", ""
    )
    c["NaN float in sced parquet"] = Case(
        SCED,
        lambda s: parquet_bytes(set_value(s.sced, "lmp_usd_mwh", 41, float("nan"))),
        42,
        "lmp_usd_mwh",
        "finite",
    )
    c["inf float in hub-average parquet"] = Case(
        RT_AVG,
        lambda s: parquet_bytes(set_value(s.rt_avg, "price_usd_per_mwh", 9, float("inf"))),
        10,
        "price_usd_per_mwh",
        "finite",
    )
    # -- plausibility bounds --------------------------------------------------------------------------
    c["btc price 1e308"] = Case(
        CM_EXT, lambda s: text(set_cell(s.ext, 5, "PriceUSD", "1e308")), None, "price_usd", "implausible"
    )
    c["btc price inf"] = Case(
        CM_EXT, lambda s: text(set_cell(s.ext, 5, "PriceUSD", "inf")), 5, "PriceUSD", "finite"
    )
    c["hashrate 1e12 TH/s"] = Case(
        CM_EXT, lambda s: text(set_cell(s.ext, 6, "HashRate", "1e12")), None, "hashrate_ehs", "implausible"
    )
    c["supply 22 million BTC"] = Case(
        CM, lambda s: text(set_cell(s.cm, 20, "SplyCur", "22000000")), None, "supply_btc", "2.1e+07"
    )
    c["fear & greed 101"] = Case(
        FEAR, lambda s: text(set_cell(s.fear, 4, "value", "101")), 4, "value", "outside 0..100"
    )
    c["fear & greed -1"] = Case(
        FEAR, lambda s: text(set_cell(s.fear, 4, "value", "-1")), 4, "value", "outside 0..100"
    )
    c["hub price 20,000 USD/MWh"] = Case(
        HUBS, lambda s: text(set_cell(s.hubs, 3, "HB_PAN", "20000")), 3, "HB_PAN", ""
    )
    c["sced LMP 1e6 in parquet"] = Case(
        SCED, lambda s: parquet_bytes(set_value(s.sced, "lmp_usd_mwh", 5, 1e6)), None, None, "outside"
    )
    c["ancillary price -5"] = Case(
        AS, lambda s: text(set_cell(s.as_, 5, "REGUP", "-5")), None, "price_usd_per_mwh", "implausible"
    )
    c["gpu price 5,000 USD/h"] = Case(
        GPU,
        lambda s: text(set_cell(s.gpu, 3, "price_usd_per_gpu_hour", "5000")),
        3,
        "price_usd_per_gpu_hour",
        "outside",
    )
    c["asic efficiency 0.5 J/TH"] = Case(
        ASICS,
        lambda s: text(set_cell(s.asics, 3, "efficiency_j_per_th", "0.5")),
        3,
        "efficiency_j_per_th",
        "disagrees",
    )
    # -- no dates after tomorrow (UTC) -------------------------------------------------------------------
    c["coinmetrics ext row in 2031"] = Case(
        CM_EXT, lambda s: text(_future_row(s.ext, "2026-06-01", "2031-01-01")), None, "date", "future"
    )
    c["fear & greed row in 2031"] = Case(
        FEAR, lambda s: text([*s.fear, "2031-01-01,1924992000,50.0,Neutral"]), None, "date", "future"
    )
    c["hubs row in 2031"] = Case(
        HUBS,
        lambda s: text([*s.hubs, "2031-01-01T06:00:00Z,2031-01-01T00:00:00-06:00,1,1,1,1,1,1,1"]),
        None,
        "interval_start_utc",
        "future",
    )
    c["dam row in 2031"] = Case(
        DAM, lambda s: text([*s.dam, s.dam[-1].replace("2022-01-03", "2031-01-03", 1)]), None, None, "future"
    )
    c["gpu quote in 2031"] = Case(
        GPU, lambda s: text(set_cell(s.gpu, 2, "date", "2031-01-01")), None, "date", "future"
    )
    # -- known settlement points only --------------------------------------------------------------------
    c["hub HB_WESTX"] = Case(
        HUBS,
        lambda s: text([s.hubs[0].replace("HB_WEST", "HB_WESTX"), *s.hubs[1:]]),
        None,
        "node",
        "HB_WESTX",
    )
    c["hub ../../etc/passwd"] = Case(
        HUBS,
        lambda s: text([s.hubs[0].replace("HB_WEST", "../../etc/passwd"), *s.hubs[1:]]),
        1,
        "../../etc/passwd",
        "",
    )
    c["selected months node HB_FOO"] = Case(
        SEL,
        lambda s: text([s.sel[0], *(x.replace(",HB_HOUSTON,", ",HB_FOO,") for x in s.sel[1:])]),
        None,
        "node",
        "HB_FOO",
    )
    c["sced parquet node HB_WESTX"] = Case(
        SCED,
        lambda s: parquet_bytes(set_all(s.sced, "settlement_point", "HB_HOUSTON", "HB_WESTX")),
        None,
        "node",
        "HB_WESTX",
    )
    c["load-zone parquet node ../x"] = Case(
        LZ, lambda s: parquet_bytes(set_all(s.lz, "settlement_point", "LZ_AEN", "../x")), None, "node", "../x"
    )
    # -- already handled before this work --------------------------------------------------------------
    c["renamed header"] = Case(
        FEAR, lambda s: text([s.fear[0].replace("value", "valeur"), *s.fear[1:]]), 1, "value", ""
    )
    c["missing header"] = Case(CM, lambda s: text(s.cm[1:]), 1, "time", "")
    c["non-numeric cell"] = Case(
        HUBS, lambda s: text(set_cell(s.hubs, 4, "HB_WEST", "n/a")), 4, "HB_WEST", ""
    )
    c["duplicate timestamp"] = Case(
        HUBS, lambda s: text([*s.hubs[:4], s.hubs[3], *s.hubs[4:]]), 5, "interval_start_utc", "duplicate"
    )
    c["unsorted rows"] = Case(
        HUBS, lambda s: text([*s.hubs[:3], s.hubs[4], s.hubs[3], *s.hubs[5:]]), 5, "interval_start_utc", ""
    )
    c["repeated-hour flag on a June hour"] = Case(
        SEL,
        lambda s: text(set_cell(s.sel, 8, "repeated_hour_flag", "Y")),
        8,
        "repeated_hour_flag",
        "repeated",
    )
    c["nonexistent local time (spring forward)"] = Case(
        DAM, _spring_dam, 5, "hour_ending_cpt", "does not exist"
    )
    c["duplicate model"] = Case(ASICS, lambda s: text([*s.asics, s.asics[2]]), None, "model", "duplicate")
    c["duplicate day in fear & greed"] = Case(
        FEAR, lambda s: text([*s.fear[:6], s.fear[5], *s.fear[6:]]), 7, None, ""
    )
    c["empty file"] = Case(CM_EXT, lambda s: b"", 1, None, "empty")
    c["header only"] = Case(FEAR, lambda s: text(s.fear[:1]), 2, None, "no data rows")
    c["unknown file name"] = Case("prices.csv", lambda s: text(s.hubs), None, None, "unknown data file")
    return c


def nan_free(table: pa.Table) -> bool:
    """True when no float column of ``table`` holds NaN (a sanity check on the slices)."""
    return all(
        not np.isnan(table.column(f.name).to_numpy(zero_copy_only=False)).any()
        for f in table.schema
        if pa.types.is_floating(f.type)
    )
