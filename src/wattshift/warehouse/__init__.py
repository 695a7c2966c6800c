"""DuckDB warehouse: schema, atomic idempotent ingest, and queries returning canonical frames.

The only package that talks SQL. Modules: :mod:`~wattshift.warehouse.schema` (tables),
:mod:`~wattshift.warehouse.core` (the :class:`Warehouse`: open, close, reports, queries),
:mod:`~wattshift.warehouse.ingest` (plan, parse, check, merge, log), :mod:`~wattshift.warehouse.checks`
(bounds, dates, nodes), :mod:`~wattshift.warehouse.history` (the rule for rows missing from a new
version of a file), :mod:`~wattshift.warehouse.merge` (how a parsed file is merged),
:mod:`~wattshift.warehouse.lock` (writers wait for each other), :mod:`~wattshift.warehouse.queries`
(tables → frames), :mod:`~wattshift.warehouse.derived` (the derived daily table and its stamp) and
:mod:`~wattshift.warehouse.reader` (a read-only connection for one-day lookups, without pandas).

The names below are imported from their module on first use (PEP 562): the light modules
(``reader``, ``derived``, ``lock``, ``files``, ``version``) can be imported without pandas.
"""

import lazy_loader

# PEP 562 lazy exports: the names of the adjacent ``__init__.pyi`` are imported from their module on
# first use (https://scientific-python.org/specs/spec-0001/).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
