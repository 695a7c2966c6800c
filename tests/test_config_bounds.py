"""Site configs reject NaN/inf and values outside physical bounds, in TOML and JSON alike (issue 12).

Every rejection is one :class:`ConfigError` naming the source and the field; a directory or a
non-UTF-8 file given as ``--site`` is a clear error too, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wattshift.cli import app
from wattshift.config import load_site, parse_site
from wattshift.config.bounds import (
    MAX_EFFICIENCY_J_PER_TH,
    MAX_POWER_MW,
    MAX_PRICE_USD_PER_MWH,
    MIN_EFFICIENCY_J_PER_TH,
    MIN_PRICE_USD_PER_MWH,
)
from wattshift.config.mining import MiningAssumptions
from wattshift.errors import ConfigError

BASE = """
name = "t"
interconnect_mw = 10.0
[[fleets]]
name = "a"
power_mw = 4.0
efficiency_j_per_th = 20.0
"""

BASE_JSON = {
    "name": "t",
    "interconnect_mw": 10.0,
    "fleets": [{"name": "a", "power_mw": 4.0, "efficiency_j_per_th": 20.0}],
}


def _site_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
@pytest.mark.parametrize(
    ("old", "field"),
    [
        ("interconnect_mw = 10.0", "interconnect_mw"),
        ("power_mw = 4.0", "fleets[0].power_mw"),
        ("efficiency_j_per_th = 20.0", "fleets[0].efficiency_j_per_th"),
    ],
)
def test_toml_non_finite_numbers_are_named(tmp_path: Path, old: str, field: str, value: str) -> None:
    # TOML 1.0 has nan and inf literals: tomllib reads them as floats; the config must refuse them.
    path = _site_file(tmp_path, BASE.replace(old, f"{old.split(' = ')[0]} = {value}"))
    with pytest.raises(ConfigError) as info:
        load_site(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {field}: must be a finite number"), message
    assert message.count(":") == 2  # one error, one field


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_json_non_finite_numbers_are_named(value: float) -> None:
    # Python's json accepts NaN/Infinity literals, as an API body parsed with it would.
    body = json.loads(json.dumps({**BASE_JSON, "aux_mw": value}))
    with pytest.raises(ConfigError, match=r"^request body: aux_mw: must be a finite number"):
        parse_site(body, source="request body")


def test_nan_in_gpu_and_contract_tables() -> None:
    gpu = {**BASE_JSON, "gpu": {"capacity_mw": 5.0, "value_usd_per_mwh": float("nan")}}
    with pytest.raises(ConfigError, match=r"gpu\.value_usd_per_mwh: must be a finite number"):
        parse_site(gpu)
    block = {
        **BASE_JSON,
        "contract": {"kind": "block", "block_mw": 5.0, "block_price_usd_per_mwh": float("inf")},
    }
    with pytest.raises(ConfigError, match=r"contract\.block_price_usd_per_mwh: must be a finite number"):
        parse_site(block)


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        # 1e9 MW is a kW/MW slip: above the largest US power plant (Grand Coulee, 6,809 MW).
        ({"interconnect_mw": 1e9}, f"interconnect_mw: must be <= {MAX_POWER_MW}"),
        # 0.5 J/TH is better than any ASIC ever announced (best: 9.5 J/TH).
        (
            {"fleets": [{"name": "a", "power_mw": 4.0, "efficiency_j_per_th": 0.5}]},
            f"fleets[0].efficiency_j_per_th: must be >= {MIN_EFFICIENCY_J_PER_TH}",
        ),
        # 20,000 J/TH (W per TH/s in kW by mistake) is worse than the 2015 Antminer S7 (273 J/TH).
        (
            {"fleets": [{"name": "a", "power_mw": 4.0, "efficiency_j_per_th": 20_000.0}]},
            f"fleets[0].efficiency_j_per_th: must be <= {MAX_EFFICIENCY_J_PER_TH}",
        ),
        (
            {"fleets": [{"name": "a", "model": "Antminer S21 (200T)", "count": 50_000_000}]},
            "fleets[0].count: must be <= 3000000",
        ),
        (
            {"contract": {"kind": "block", "block_mw": 5.0, "block_price_usd_per_mwh": 9_000.0}},
            f"contract.block_price_usd_per_mwh: must be <= {MAX_PRICE_USD_PER_MWH}",
        ),
        (
            {"contract": {"kind": "block", "block_mw": 5.0, "block_price_usd_per_mwh": -1_000.0}},
            f"contract.block_price_usd_per_mwh: must be >= {MIN_PRICE_USD_PER_MWH}",
        ),
        ({"gpu": {"capacity_mw": 5.0, "value_usd_per_mwh": -1.0}}, "gpu.value_usd_per_mwh: must be >= 0.0"),
        (
            {"gpu": {"capacity_mw": 5.0, "spot_usd_per_gpu_hour": 2.0, "kw_per_gpu": 700.0}},
            "gpu.kw_per_gpu: must be <= 20.0",
        ),
        (
            {"peak_charges": {"rate_usd_per_kw_year": 50_000.0}},
            "peak_charges.rate_usd_per_kw_year: must be <= 1000.0",
        ),
    ],
)
def test_values_outside_physical_bounds(patch: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_site({**BASE_JSON, **patch}, source="site.json")
    assert str(info.value) == f"site.json: {expected}"


def test_bounds_admit_real_sites() -> None:
    # A 1,000 MW campus of S19j Pro (29.5 J/TH) at the ERCOT cap price is inside every bound.
    site = parse_site(
        {
            "name": "big",
            "interconnect_mw": 1_000.0,
            "fleets": [{"name": "a", "power_mw": 990.0, "efficiency_j_per_th": 29.5}],
            "contract": {"kind": "block", "block_mw": 900.0, "block_price_usd_per_mwh": 5_000.0},
        }
    )
    assert site.interconnect_mw == 1_000.0


def test_mining_assumptions_reject_nan() -> None:
    with pytest.raises(ValueError, match="finite number"):
        MiningAssumptions(opex_usd_per_mw_month=float("nan"))


def test_site_path_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is a directory, not a site TOML file"):
        load_site(tmp_path)


def test_site_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.replace('"t"', '"Planta Peñasco"').encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_site(path)
    assert str(info.value).startswith(f"{path}: not UTF-8 text (byte ")


@pytest.mark.parametrize("kind", ["directory", "latin-1", "nan"])
def test_cli_gives_one_line_errors(tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        site, expected = tmp_path, "is a directory"
    elif kind == "latin-1":
        site = tmp_path / "latin1.toml"
        site.write_bytes("# Peña\n".encode("latin-1") + BASE.encode())
        expected = "not UTF-8 text"
    else:
        site = _site_file(tmp_path, BASE.replace("interconnect_mw = 10.0", "interconnect_mw = nan"))
        expected = "interconnect_mw: must be a finite number"
    result = CliRunner().invoke(app, ["dispatch", "--site", str(site), "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 3, result.output  # bad input (wattshift.errors.ExitCode)
    text = " ".join(result.output.split())  # Rich wraps long lines
    assert text.startswith("error: ") and expected in text
    assert "Traceback" not in text


def test_api_body_with_nan_is_a_422_naming_the_field(warehouse_path: Path) -> None:
    from fastapi.testclient import TestClient

    from wattshift.api import create_app

    client = TestClient(create_app(warehouse_path, token="t"), raise_server_exceptions=False)
    body = json.dumps(BASE_JSON).replace('"interconnect_mw": 10.0', '"interconnect_mw": NaN')
    assert "NaN" in body
    response = client.post("/api/dispatch", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert (
        response.json()["message"]
        == "request body: interconnect_mw: must be a finite number (not NaN or infinity)"
    )
