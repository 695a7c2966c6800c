"""Site config: TOML loading, validation errors naming the field, catalogue resolution."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wattshift.config import load_site, parse_site
from wattshift.errors import ConfigError
from wattshift.services.sites import examples_dir, resolve_fleets

EXAMPLES = examples_dir() / "sites"

BASE = """
name = "t"
interconnect_mw = 10.0
[[fleets]]
name = "a"
power_mw = 4.0
efficiency_j_per_th = 20.0
"""

ASICS = pd.DataFrame(
    {
        "model": ["Antminer S21 (200T)", "Antminer S19 XP (140T)"],
        "vendor": ["Bitmain", "Bitmain"],
        "hashrate_ths": [200.0, 140.0],
        "power_w": [3500.0, 3010.0],
        "efficiency_j_per_th": [17.5, 21.5],
        "release": ["2023", "2022"],
        "source": ["x", "y"],
    }
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_site_loads(tmp_path: Path) -> None:
    site = load_site(_write(tmp_path, BASE))
    assert site.interconnect_mw == 10.0
    assert site.contract.kind == "index" and site.contract.node == "HB_WEST"
    assert site.fleets[0].power_mw == 4.0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[[fleets]]\nname='b'\nmodel='Antminer S21 (200T)'\ncount=0\n", "fleets[1].count: must be > 0"),
        ("[[fleets]]\nname='b'\npower_mw=-3\nefficiency_j_per_th=20\n", "fleets[1].power_mw: must be > 0"),
        (
            "[gpu]\ncapacity_mw=5\nfirm_mw=6\nvalue_usd_per_mwh=100\n",
            "gpu.firm_mw: firm GPU load 6.0 MW exceeds",
        ),
        ("[gpu]\ncapacity_mw=5\nspot_usd_per_gpu_hour=2\n", "gpu.kw_per_gpu: required"),
        ("[contract]\nkind='block'\nblock_mw=5\n", "contract.block_price_usd_per_mwh: required"),
        ("[reserves]\nproducts=['REGUP','FOO']\nmax_mw=3\n", "reserves.products[1]"),
        ("colour = 'red'\n", "colour: unknown field"),
        ("[peak_charges]\nrate_usd_per_kw_year=50\nrule='given'\n", "peak_charges.peaks: required"),
    ],
)
def test_bad_fields_are_named(tmp_path: Path, extra: str, expected: str) -> None:
    text = (
        BASE.replace('name = "t"\n', 'name = "t"\n' + extra) if extra.startswith("colour") else BASE + extra
    )
    with pytest.raises(ConfigError) as info:
        load_site(_write(tmp_path, text))
    assert str(tmp_path / "site.toml") in str(info.value)
    assert expected in str(info.value)


def test_firm_load_plus_aux_above_interconnect() -> None:
    data = {
        "name": "t",
        "interconnect_mw": 10.0,
        "aux_mw": 3.0,
        "gpu": {"capacity_mw": 9.0, "firm_mw": 8.0, "value_usd_per_mwh": 500.0},
    }
    with pytest.raises(ConfigError, match=r"gpu\.firm_mw: firm GPU load 8.0 MW \+ aux 3.0 MW exceeds"):
        parse_site(data)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_site(_write(tmp_path, "name = \n"))
    with pytest.raises(ConfigError, match="site file not found"):
        load_site(tmp_path / "nope.toml")


def test_catalogue_fleet_resolves_to_mw_and_j_per_th() -> None:
    site = parse_site(
        {
            "name": "t",
            "interconnect_mw": 100.0,
            "fleets": [{"name": "s21", "model": "Antminer S21 (200T)", "count": 1000}],
        }
    )
    (fleet,) = resolve_fleets(site, ASICS)
    assert fleet.power_mw == pytest.approx(3.5)  # 1000 x 3,500 W
    assert fleet.efficiency_j_per_th == pytest.approx(17.5)  # 3,500 W / 200 TH/s


def test_unknown_model_suggests_close_names() -> None:
    site = parse_site(
        {
            "name": "t",
            "interconnect_mw": 100.0,
            "fleets": [{"name": "x", "model": "Antminer S21 200T", "count": 5}],
        }
    )
    with pytest.raises(
        ConfigError, match=r"fleets\[0\]\.model: unknown ASIC model .*did you mean 'Antminer S21 \(200T\)'"
    ):
        resolve_fleets(site, ASICS)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_example_sites_validate(path: Path, shared_data_dir: Path) -> None:
    from wattshift.data.asics import read_asics

    site = load_site(path)
    fleets = resolve_fleets(site, read_asics(shared_data_dir / "asics" / "asic_models.csv"))
    total = sum(f.power_mw for f in fleets) + (site.gpu.capacity_mw if site.gpu else 0.0) + site.aux_mw
    assert total <= site.interconnect_mw + 1e-6
