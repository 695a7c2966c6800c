"""Tables that fit the terminal: wrap headers and long names between words, then drop columns.

A :class:`FittedTable` holds plain text cells and, for each column, a priority. :meth:`FittedTable.render`
lays it out for a width [columns]: first at each column's natural width; if that is too wide, with
headers wrapped between words; if still too wide, the column with the highest priority number is
dropped (priority 0 is never dropped) and the layout is tried again; when nothing is left to drop,
``wrap`` columns (names, file names) are broken after spaces, ``_``, ``-``, ``/`` and ``.``.
No cell is ever cut to "…" and no word is split in the middle, unless the essential columns alone
cannot fit.

Overhead of a Rich table with the default box and padding: ``3 n + 1`` columns for ``n`` columns
(one border and two padding characters per column, plus the closing border).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

#: A break is allowed after these characters in ``wrap`` columns.
_TOKEN = re.compile(r"[^ _\-/.]+[ _\-/.]*|[ _\-/.]+")

#: ``wrap`` columns are never laid out narrower than this [characters] (unless a token is longer).
_MIN_WRAP_WIDTH = 12


@dataclass(frozen=True)
class Column:
    """One column: ``priority`` 0 is kept always; higher numbers are dropped first when too wide."""

    header: str
    justify: Literal["left", "right"] = "left"
    priority: int = 0
    wrap: bool = False


def break_text(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken after spaces, ``_ - / .`` only.

    A token longer than ``width`` gets a line of its own (it is never cut).
    """
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if line and cell_len((line + token).rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    lines.append(line.rstrip())
    return lines


def _header_min(header: str) -> int:
    return max(cell_len(word) for word in header.split()) if header.strip() else 0


@dataclass
class FittedTable:
    """Rows of plain text (escaped when rendered) under :class:`Column` specs."""

    title: str
    columns: Sequence[Column]
    rows: list[list[str]] = field(default_factory=list)

    def add_row(self, *cells: str) -> None:
        """Append a row (one cell per column, plain text)."""
        if len(cells) != len(self.columns):
            raise ValueError(f"row has {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(list(cells))

    def _natural(self, i: int) -> int:
        return max([cell_len(self.columns[i].header)] + [cell_len(row[i]) for row in self.rows])

    def _minimum(self, i: int, *, break_cells: bool) -> int:
        """Narrowest width of column ``i``: header wrapped between words, cells whole or broken."""
        column = self.columns[i]
        cells = [row[i] for row in self.rows]
        if column.wrap and break_cells:
            tokens = [cell_len(t.rstrip()) for c in cells for t in _TOKEN.findall(c)] or [0]
            body = max(max(tokens), min(_MIN_WRAP_WIDTH, self._natural(i)))
        else:
            body = max([cell_len(c) for c in cells] or [0])
        return max(body, _header_min(column.header))

    def layout(self, width: int) -> tuple[list[int], list[int]]:
        """(kept column indices, their widths [characters]) for a table ``width`` wide.

        Tried in turn until one fits: natural widths; headers wrapped; the same after dropping the
        column with the highest priority number (repeated while any is droppable); then cells of
        ``wrap`` columns broken too (the essential columns may still overflow a very narrow width).
        """
        kept = list(range(len(self.columns)))
        while True:
            overhead = 3 * len(kept) + 1
            natural = [self._natural(i) for i in kept]
            if sum(natural) + overhead <= width:
                return kept, natural
            droppable = [i for i in kept if self.columns[i].priority > 0]
            whole = [self._minimum(i, break_cells=False) for i in kept]
            if sum(whole) + overhead <= width or not droppable:
                break
            kept.remove(max(droppable, key=lambda i: (self.columns[i].priority, i)))
        if sum(whole) + overhead <= width:
            minimum = whole
        else:
            minimum = [self._minimum(i, break_cells=True) for i in kept]
        slack = width - overhead - sum(minimum)
        widths = list(minimum)
        for j in range(len(kept)):  # give what is left to columns, left to right
            extra = min(max(slack, 0), natural[j] - minimum[j])
            widths[j] += extra
            slack -= extra
        return kept, widths

    def render(self, width: int) -> Table:
        """A Rich table laid out by :meth:`layout` for ``width`` [characters]."""
        kept, widths = self.layout(width)
        table = Table(title=escape(self.title))
        for i, w in zip(kept, widths, strict=True):
            column = self.columns[i]
            header = "\n".join(textwrap.wrap(column.header, w, break_long_words=False)) or column.header
            table.add_column(escape(header), justify=column.justify, no_wrap=True, width=w)
        for row in self.rows:
            cells = []
            for i, w in zip(kept, widths, strict=True):
                text = "\n".join(break_text(row[i], w)) if self.columns[i].wrap else row[i]
                cells.append(escape(text))
            table.add_row(*cells)
        return table
