"""The report's sections built in parallel lanes: the CLI process and forked worker processes at once.

The sections are independent (each reads the warehouse and returns HTML), and on two cores the
report's wall time is the longest lane's, not the sum of the sections. The tasks (sections, or
their parts) are handed out longest first, by the measured seconds of :data:`SECTION_COST_S`, to
whichever lane is free next: a shared counter, not a plan made in advance, so a task that runs
longer than measured, or a lane slowed down by the machine, shifts the remaining tasks to the
other lane (list scheduling in LPT order, within 4/3 of the best split even when the costs are
only an order: Graham, "Bounds on multiprocessing timing anomalies", SIAM J. Appl. Math. 17, 1969).

Each worker is forked *before* any process opens the warehouse, so no DuckDB instance is shared
across the fork; every lane then opens its own read-only connection (DuckDB lets several processes
read one file), and takes tasks only once it is open: a lane that cannot open it leaves its share
to the others. A worker sends its finished tasks back through a pipe when the counter runs out
(one message: a worker never waits on a parent still busy with its own tasks). A task whose result
never arrived (its worker died before sending, or no lane could open the warehouse) is reported as
that section's failure with the reason, never a hang; it is not built again here, since what
killed a worker could kill this process too. Where ``fork`` is not available,
or one lane is asked for, the tasks are built one after the other in this process.

A section module may split its work into parts (``section_parts``, ``build_part`` and
``join_parts``, as :mod:`wattshift.report.dispatch` does per site): its parts are then handed out
like sections, possibly to different lanes, and joined in order in this process.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import signal
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wattshift.report.build import (
    SECTION_MODULES,
    Built,
    ReportResult,
    building,
    failed_section,
    failure_message,
    no_default_template,
    section_builder,
    write_page,
)
from wattshift.settings import usable_cpus

if TYPE_CHECKING:
    from wattshift.services.store import Warehouse

#: Wall seconds of each section built alone on the demo warehouse (``benchmarks/bench_report.py``,
#: median of 3, 2026-11-30 at load average 1.0); only their order matters: the longest go first.
SECTION_COST_S: dict[str, float] = {
    "dispatch": 0.86,
    "markets": 0.54,
    "valuation": 0.20,
    "signals": 0.19,
    "market": 0.13,
}

#: Lanes by default: one per core this process may run on, at most two (the report's work fills
#: two lanes to within a few tenths of a second; a third would only add a process).
MAX_LANES = 2

Opener = Callable[[], AbstractContextManager["Warehouse"]]
#: One unit of work: ``(section name, part index, part or None for the whole section)``.
Task = tuple[str, int, Any]
#: A task's outcome: ``(section name, part index, whole section?, Section or part, failure or None)``.
Done = tuple[str, int, bool, Any, str | None]


def default_lanes() -> int:
    """Lanes for this machine: the cores this process may use, capped at :data:`MAX_LANES`."""
    return min(MAX_LANES, usable_cpus())


def section_tasks(names: Sequence[str], options: dict[str, dict[str, Any]]) -> list[Task]:
    """The report's work as tasks ``(section, part index, part or None for the whole section)``.

    A section module with ``section_parts`` gives one task per part (the whole section if it has
    none or listing them fails: building it then reports the error); any other, one task.
    """
    tasks: list[Task] = []
    for name in names:
        parts_of = getattr(importlib.import_module(f"wattshift.report.{name}"), "section_parts", None)
        try:
            parts = list(parts_of(**options.get(name, {}))) if parts_of is not None else []
        except Exception:
            parts = []
        tasks += [(name, i, part) for i, part in enumerate(parts)] if parts else [(name, 0, None)]
    return tasks


def longest_first(tasks: Sequence[Task]) -> list[Task]:
    """``tasks`` in the order lanes take them: longest first, ties in the order given.

    A part costs its section's :data:`SECTION_COST_S` over the number of parts, a section missing
    from it 1 s.
    """
    count = Counter(name for name, _, _ in tasks)
    cost = [SECTION_COST_S.get(name, 1.0) / count[name] for name, _, _ in tasks]
    return [tasks[i] for i in sorted(range(len(tasks)), key=lambda i: -cost[i])]


class _Counter(Protocol):
    """The next task's index, shared by the lanes (``multiprocessing.Value``)."""

    value: int

    def get_lock(self) -> AbstractContextManager[Any]: ...


def _take(counter: _Counter, tasks: Sequence[Task]) -> Iterator[Task]:
    """Tasks from the shared ``counter`` until none is left (each task goes to one lane only)."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value = index + 1
        if index >= len(tasks):
            return
        yield tasks[index]


def _run(
    open_wh: Opener, todo: Iterator[Task], options: dict[str, dict[str, Any]], progress: Any
) -> list[Done]:
    """Open a warehouse of this process's own, then build the tasks of ``todo``.

    Returns ``(name, index, whole?, result, failure)`` per task built; an error opening the
    warehouse is raised before any task is taken.
    """
    done: list[Done] = []
    with open_wh() as wh, building(wh) as reads:
        for name, index, part in todo:
            module = importlib.import_module(f"wattshift.report.{name}")
            opts = options.get(name, {})
            if progress is not None:
                progress(name if part is None else f"{name}: {getattr(part, 'stem', part)}")
            try:
                if part is None:
                    result = module.build_section(reads, **opts)
                else:
                    result = module.build_part(reads, part, **opts)
                done.append((name, index, part is None, result, None))
            except Exception as exc:  # a failed section must not hide the others
                done.append((name, index, part is None, None, failure_message(exc)))
    return done


def _worker(
    send: Connection, open_wh: Opener, todo: Iterator[Task], options: dict[str, Any], progress: Any
) -> None:
    """A forked lane: build tasks from ``todo`` and send them back (Ctrl-C is the parent's to handle)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        done: list[Done] | str = _run(open_wh, todo, options, progress)
    except Exception as exc:  # opening the warehouse failed: the other lanes take its share
        done = failure_message(exc)
    send.send(done)
    send.close()


def _collect(recv: Connection, proc: multiprocessing.process.BaseProcess) -> list[Done] | str:
    """A worker's finished tasks, or why it has none (its error, or how it ended)."""
    try:
        got: list[Done] | str = recv.recv()
    except EOFError:
        proc.join()
        got = f"the worker process building it ended with exit code {proc.exitcode} before sending it"
    proc.join()
    return got


def _assemble(names: Sequence[str], done: list[Done]) -> Built:
    """Each section from its task (or its parts, joined in order), or its first failure."""
    built: Built = []
    for name in names:
        items = sorted((d for d in done if d[0] == name), key=lambda d: d[1])
        failure = next((d[4] for d in items if d[4] is not None), None)
        if failure is None and items and items[0][2]:
            built.append((name, items[0][3], None))
            continue
        if failure is None:
            try:
                joined = importlib.import_module(f"wattshift.report.{name}").join_parts([d[3] for d in items])
                built.append((name, joined, None))
                continue
            except Exception as exc:
                failure = failure_message(exc)
        built.append((name, failed_section(name, failure), failure))
    return built


def _run_lanes(
    open_wh: Opener, tasks: list[Task], lanes: int, options: dict[str, dict[str, Any]], progress: Any
) -> list[Done]:
    """Every task built, or failed: this process is the first lane, forked workers the others."""
    order = longest_first(tasks)
    forking = lanes > 1 and "fork" in multiprocessing.get_all_start_methods()
    if not forking:
        return _run(open_wh, iter(tasks), options, progress)
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    workers = []
    for _ in range(lanes - 1):
        recv, send = ctx.Pipe(duplex=False)
        todo = _take(counter, order)
        proc = ctx.Process(target=_worker, args=(send, open_wh, todo, options, progress), daemon=True)
        proc.start()
        send.close()
        workers.append((recv, proc))
    done: list[Done] = []
    reasons: list[str] = []
    try:
        done += _run(open_wh, _take(counter, order), options, progress)
    except Exception as exc:  # this lane could not open the warehouse: the workers take its share
        reasons.append(failure_message(exc))
    for recv, proc in workers:
        got = _collect(recv, proc)
        if isinstance(got, str):
            reasons.append(got)
        else:
            done += got
    built = {(name, index) for name, index, *_ in done}
    reason = "; ".join(dict.fromkeys(reasons)) or "no lane built it"
    return done + [(n, i, p is None, None, reason) for n, i, p in tasks if (n, i) not in built]


def build_report_in_lanes(
    open_wh: Opener,
    out_dir: Path,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
    lanes: int | None = None,
) -> ReportResult:
    """Write ``out_dir/index.html``, its sections built in ``lanes`` processes at once.

    Parameters
    ----------
    open_wh
        Opens the warehouse read-only (a context manager); called once per lane, in that lane's
        process.
    out_dir
        Folder to write ``index.html`` into (created if needed).
    options
        Per-section keyword options, as :func:`wattshift.report.build.build_report`'s.
    progress
        Called with each section's (or part's) name before it is built, from the lane building it.
    lanes
        Processes building sections at once; None = :func:`default_lanes`.

    Returns
    -------
    ReportResult
        The same page and result as the serial :func:`~wattshift.report.build.build_report`.
    """
    options = options or {}
    wanted = default_lanes() if lanes is None else lanes
    if wanted < 1:
        raise ValueError(f"lanes must be >= 1, got {wanted}")
    names = [name for name in SECTION_MODULES if section_builder(name) is not None]  # imports, pre-fork
    tasks = section_tasks(names, options)
    # The objects alive now (mostly the imported modules') are set aside from the collector while the
    # lanes build: not scanned again by each lane's collections, nor copied into the workers by them
    # (copy-on-write pages): 0.2-0.5 s less CPU for the report on 2 cores (bench_cli.py, 2026-11-29).
    gc.freeze()
    try:
        # No plotly default template before the fork: the lanes inherit it (its validator's first
        # use costs 0.11 s of imports, once here instead of once per lane; the workers never restore it)
        with no_default_template():
            done = _run_lanes(open_wh, tasks, wanted, options, progress)
    finally:
        gc.unfreeze()
    return write_page(out_dir, _assemble(names, done))
