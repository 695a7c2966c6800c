"""Sites as the interfaces take them: a name or a path in, a validated config and resolved fleets out.

- :func:`examples` lists the example sites, grids and deal files shipped with the package
  (:mod:`wattshift.examples`, found with :mod:`importlib.resources`, so an installed wheel has them);
- :func:`resolve_file` turns ``west_texas_hybrid`` (an example name) or a path into a file;
- :func:`load_site` reads and validates a site given either way, :func:`load_deals` the deal terms;
- :func:`resolve_fleets` looks catalogue fleets (``model`` + ``count``) up in the ASIC frame.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wattshift.config import Fleet, SiteConfig, parse_site
from wattshift.config import load_site as load_site_file
from wattshift.config.deals import Deals
from wattshift.config.deals import load_deals as load_deals_file
from wattshift.errors import ConfigError
from wattshift.units import W_PER_MW, efficiency_j_per_th

if TYPE_CHECKING:
    import pandas as pd

#: Kinds of example file and where each lives inside :mod:`wattshift.examples`.
ExampleKind = Literal["site", "grid", "deals"]
_FOLDERS: dict[ExampleKind, str] = {"site": "sites", "grid": "grids", "deals": ""}


@dataclass(frozen=True)
class Example:
    """One example file shipped with the package.

    Attributes
    ----------
    name
        What to pass instead of a path (``--site west_texas_hybrid``): the file stem.
    kind
        ``site``, ``grid`` or ``deals``.
    description
        First sentence of the file's leading comment block.
    path
        The file (inside the installed package).
    """

    name: str
    kind: ExampleKind
    description: str
    path: Path


def examples_dir() -> Path:
    """Directory of the packaged examples (:mod:`wattshift.examples`)."""
    return Path(str(files("wattshift.examples")))


def _example_paths(kind: ExampleKind) -> list[Path]:
    root = examples_dir()
    if kind == "deals":
        return [root / "deals.toml"]
    return sorted((root / _FOLDERS[kind]).glob("*.toml"))


def description(text: str) -> str:
    """The leading comment block of a TOML file as one line, without ``#`` and the ``Run:`` line."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        content = line.lstrip("#").strip()
        if not content.startswith("Run:"):
            lines.append(content)
    return " ".join(part for part in lines if part)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + (dot.strip() if dot else "")


def examples(kind: ExampleKind | None = None) -> list[Example]:
    """The example files shipped with the package, sites first, each with a one-line description."""
    kinds: tuple[ExampleKind, ...] = ("site", "grid", "deals") if kind is None else (kind,)
    out = []
    for k in kinds:
        for path in _example_paths(k):
            text = path.read_text(encoding="utf-8")
            out.append(Example(path.stem, k, _first_sentence(description(text)), path))
    return out


def resolve_file(name_or_path: str | Path, kind: ExampleKind = "site") -> Path:
    """The file meant by ``name_or_path``: an existing path, else the packaged example of that name.

    Raises
    ------
    ConfigError
        Neither a file nor an example name (the message lists the example names).
    """
    path = Path(name_or_path)
    if path.exists():
        return path
    text = str(name_or_path)
    stem = text.removesuffix(".toml")
    if "/" not in text and "\\" not in text:
        for example in examples(kind):
            if example.name == stem:
                return example.path
    names = ", ".join(e.name for e in examples(kind))
    raise ConfigError(f"{text}: no such {kind} file and no example of that name (examples: {names})")


def load_site(name_or_path: str | Path) -> SiteConfig:
    """Read and validate a site given by example name (``west_texas_hybrid``) or TOML path.

    Raises
    ------
    ConfigError
        Unknown name, unreadable file, invalid TOML or an invalid field (names the file and field).
    """
    return load_site_file(resolve_file(name_or_path, "site"))


def load_deals(name_or_path: str | Path = "deals") -> Deals:
    """Read and validate the published deal terms (default: the packaged deals example)."""
    return load_deals_file(resolve_file(name_or_path, "deals"))


def example_sites() -> list[dict[str, Any]]:
    """Every example site: ``id`` (name), ``name``, ``description`` and ``site`` (the parsed TOML).

    Raises
    ------
    ConfigError
        An example file is not a valid site (names the file and field).
    """
    sites = []
    for example in examples("site"):
        text = example.path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{example.path}: not valid TOML: {exc}") from None
        site = parse_site(data, source=str(example.path))
        sites.append({"id": example.name, "name": site.name, "description": description(text), "site": data})
    return sites


def resolve_fleets(site: SiteConfig, asic_models: pd.DataFrame) -> list[Fleet]:
    """Turn every fleet of ``site`` into MW and J/TH, looking catalogue models up in ``asic_models``.

    Power [MW] = count x ``power_w`` [W] / 1e6 (:data:`wattshift.units.W_PER_MW`); efficiency [J/TH] =
    ``power_w`` / ``hashrate_ths`` (:func:`wattshift.units.efficiency_j_per_th`).

    Parameters
    ----------
    site
        The validated site.
    asic_models
        ASIC frame (columns ``model``, ``hashrate_ths``, ``power_w`` at least).

    Raises
    ------
    ConfigError
        ``fleets[i].model`` is not in the catalogue (the message lists the closest names).
    """
    by_model = {str(m): i for i, m in enumerate(asic_models["model"])} if len(asic_models) else {}
    fleets = []
    for i, f in enumerate(site.fleets):
        if f.model is not None and f.count is not None:
            if f.model not in by_model:
                close = difflib.get_close_matches(f.model, list(by_model), n=3, cutoff=0.4)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ConfigError(f"fleets[{i}].model: unknown ASIC model {f.model!r}{hint}")
            row = asic_models.iloc[by_model[f.model]]
            power_w = float(row["power_w"])
            power_mw = f.count * power_w / W_PER_MW
            eff = float(efficiency_j_per_th(power_w, float(row["hashrate_ths"])))
        else:
            assert f.power_mw is not None and f.efficiency_j_per_th is not None
            power_mw, eff = f.power_mw, f.efficiency_j_per_th
        fleets.append(
            Fleet(
                name=f.name,
                power_mw=power_mw,
                efficiency_j_per_th=eff,
                ramp_mw_per_min=f.ramp_mw_per_min,
                min_on_minutes=f.min_on_minutes,
                min_off_minutes=f.min_off_minutes,
                min_load_fraction=f.min_load_fraction,
                model=f.model,
                count=f.count,
            )
        )
    return fleets
