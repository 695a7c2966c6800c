"""The dispatch section of the report, on a tiny synthetic source."""

from __future__ import annotations

from pathlib import Path

from wattshift.report.dispatch import build_section
from wattshift.testing import tiny_dispatch_warehouse

SITE = """
name = "tiny report site"
interconnect_mw = 20.0
[[fleets]]
name = "s21"
model = "Antminer S21 (200T)"
count = 2000
[gpu]
capacity_mw = 5.0
value_usd_per_mwh = 600.0
[backtest]
start = 2023-08-01
end = 2023-08-03
"""


def test_section_has_schedule_and_revenue_charts(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    section = build_section(tiny_dispatch_warehouse(), sites=[path])
    assert section.id == "dispatch"
    assert "tiny report site" in section.html
    assert section.html.count("plotly-graph-div") == 2  # stacked MW under price + revenue by stream
    assert '"stackgroup":"mw"' in section.html
    assert any("ERCOT" in s for s in section.sources)
