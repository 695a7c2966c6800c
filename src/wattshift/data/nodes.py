"""Known settlement points per market: a price series may only be stored for a node listed here.

A typo (``HB_WESTX``) or a hostile name (``../../etc/passwd``) would otherwise become a permanent
series of the warehouse. The lists come from each market's published settlement points; a node
that is not listed is refused unless the ingest is told to extend the list (``wattshift data
ingest --allow-new-nodes``): once stored, a node is known to that warehouse.

Adapters of other markets add their list to :data:`SETTLEMENT_POINTS` (``iso → names``). A market
without a list accepts names made of letters, digits and ``_ - . ( ) / space`` only (no path
traversal, no control characters), see :data:`SAFE_NODE_NAME`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Final

from wattshift.errors import DataError

#: ERCOT hubs (Nodal Protocols 3.5.2, "Hub definitions": North, South, Houston, West, Panhandle,
#: plus the Hub Bus Average and Hub Average) and the eight competitive load zones (ERCOT
#: "Settlement Points List and Electrical Buses Mapping", LZ_*), as published in the NP6-905/
#: NP4-190 reports; for the ``da_as`` market the "nodes" are the ancillary products
#: (NP4-188: REGUP, REGDN, RRS, NSPIN, ECRS).
ERCOT_HUBS: Final[frozenset[str]] = frozenset(
    {"HB_BUSAVG", "HB_HOUSTON", "HB_HUBAVG", "HB_NORTH", "HB_PAN", "HB_SOUTH", "HB_WEST"}
)
ERCOT_LOAD_ZONES: Final[frozenset[str]] = frozenset(
    {"LZ_AEN", "LZ_CPS", "LZ_HOUSTON", "LZ_LCRA", "LZ_NORTH", "LZ_RAYBN", "LZ_SOUTH", "LZ_WEST"}
)
ERCOT_AS_PRODUCTS: Final[frozenset[str]] = frozenset({"REGUP", "REGDN", "RRS", "NSPIN", "ECRS"})

#: Published settlement points per ISO (markets without an entry: :data:`SAFE_NODE_NAME`).
SETTLEMENT_POINTS: Final[Mapping[str, frozenset[str]]] = {
    "ERCOT": ERCOT_HUBS | ERCOT_LOAD_ZONES | ERCOT_AS_PRODUCTS,
}

#: Suffixes a stored node may carry after ``:`` (ERCOT's 15-minute load-zone pairs keep the two
#: 5-minute-derived readings as ``LZ_WEST:lo`` and ``LZ_WEST:hi``; see ``ercot_parquet``).
NODE_PARTS: Final[frozenset[str]] = frozenset({"", "lo", "hi"})

#: Node names accepted for a market without a published list.
SAFE_NODE_NAME: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.() /]{0,63}$")


def unknown_nodes(iso: str, nodes: Iterable[str], extra: Collection[str] = ()) -> list[str]:
    """Nodes of ``iso`` that are neither published nor in ``extra`` (sorted).

    Parameters
    ----------
    iso
        Market (``"ERCOT"``, ...).
    nodes
        Node names to check.
    extra
        Names accepted in addition (nodes the warehouse already holds).
    """
    known = SETTLEMENT_POINTS.get(iso)
    bad = set()
    for node in nodes:
        if node in extra:
            continue
        if known is not None:
            base, _, part = node.partition(":")
            if base not in known or part not in NODE_PARTS:
                bad.add(node)
        elif not SAFE_NODE_NAME.match(node) or ".." in node:
            bad.add(node)
    return sorted(bad)


def check_known_nodes(
    iso: str, nodes: Iterable[str], *, file: str, extra: Collection[str] = (), allow_new: bool = False
) -> None:
    """Raise unless every node is a published settlement point of ``iso`` (or in ``extra``).

    ``allow_new`` accepts unlisted names that are still safe (:data:`SAFE_NODE_NAME`): the way to
    add a new settlement point; a name such as ``../../etc/passwd`` is refused even then.

    Raises
    ------
    DataError
        Naming the file, the ``node`` field and the unknown names.
    """
    bad = unknown_nodes(iso, nodes, extra)
    if allow_new:
        bad = [n for n in bad if not SAFE_NODE_NAME.match(n) or ".." in n]
    if not bad:
        return
    known = SETTLEMENT_POINTS.get(iso)
    listed = f"; known {iso} points: {', '.join(sorted(known))}" if known else ""
    hint = "" if allow_new else " (use --allow-new-nodes to add a real new settlement point)"
    raise DataError(
        f"unknown {iso} settlement point(s) {', '.join(map(repr, bad[:5]))}{hint}{listed}",
        file=file,
        column="node",
    )
