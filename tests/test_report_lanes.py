"""The report's sections built in two processes at once (``wattshift.report.lanes``).

Fake section modules stand in for the real ones (the real report in lanes is checked against the
serial one in ``test_report_page.py``): whole sections and sections in parts, a failing section,
a worker that dies, and figure ids that must stay unique on one page.
"""

from __future__ import annotations

import os
import re
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from wattshift.report import build, lanes
from wattshift.report.base import Section, figure_html, renumber_figures


def _figure() -> str:
    return figure_html(go.Figure(go.Scatter(x=[1.0, 2.0], y=[3.0, 4.0])))


def _module(name: str, **functions: Any) -> None:
    module = types.ModuleType(f"wattshift.report.{name}")
    for key, value in functions.items():
        setattr(module, key, value)
    sys.modules[module.__name__] = module


@contextmanager
def _opener() -> Iterator[Any]:
    yield object()


@pytest.fixture
def fake_sections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Four fake sections: whole, in three parts, failing, and dying in a forked worker."""
    parent = os.getpid()

    def whole(wh: object, **_: Any) -> Section:
        return Section(id="whole", title="Whole", html=f"<p>whole pid={os.getpid()}</p>{_figure()}")

    def part(wh: object, part: int, **_: Any) -> str:
        return f"<p>part {part} pid={os.getpid()}</p>{_figure()}"

    def join(parts: list[str]) -> Section:
        return Section(id="parted", title="Parted", html="".join(parts))

    def failing(wh: object, **_: Any) -> Section:
        raise ValueError("no prices for HB_NOWHERE")

    _module("fake_whole", build_section=whole)
    _module(
        "fake_parted",
        build_section=lambda wh, **_: join([part(wh, p) for p in (1, 2, 3)]),
        section_parts=lambda **_: [1, 2, 3],
        build_part=part,
        join_parts=join,
    )
    _module("fake_failing", build_section=failing)
    names = ["fake_whole", "fake_parted", "fake_failing"]
    monkeypatch.setattr(build, "SECTION_MODULES", tuple(names))
    monkeypatch.setattr(lanes, "SECTION_MODULES", tuple(names))
    monkeypatch.setattr(lanes, "SECTION_COST_S", {"fake_whole": 3.0, "fake_parted": 3.0, "fake_failing": 0.1})
    yield names
    for name in names:
        sys.modules.pop(f"wattshift.report.{name}", None)
    assert os.getpid() == parent


def test_tasks_go_out_longest_first_and_parts_share_their_sections_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lanes, "SECTION_COST_S", {"a": 1.09, "d": 0.99, "v": 0.70, "s": 0.22, "m": 0.14})
    tasks = [
        ("m", 0, None),
        ("s", 0, None),
        ("d", 0, "x"),
        ("d", 1, "y"),
        ("d", 2, "z"),
        ("v", 0, None),
        ("a", 0, None),
        ("unknown", 0, None),
    ]
    # by hand: unknown 1.0 (the default) after a 1.09; v 0.70; each d part 0.99 / 3 = 0.33, in order
    assert lanes.longest_first(tasks) == [
        ("a", 0, None),
        ("unknown", 0, None),
        ("v", 0, None),
        ("d", 0, "x"),
        ("d", 1, "y"),
        ("d", 2, "z"),
        ("s", 0, None),
        ("m", 0, None),
    ]


def test_lanes_take_each_task_once_from_the_shared_counter() -> None:
    import multiprocessing

    counter = multiprocessing.get_context("fork").Value("q", 0)
    tasks = [("t", i, None) for i in range(5)]
    first, second = lanes._take(counter, tasks), lanes._take(counter, tasks)
    taken = [next(first), next(second), next(second), *first, *second]
    assert taken == tasks  # interleaved lanes: every task once, in order, then both run dry


def _hold_whole_until_parts_built(monkeypatch: pytest.MonkeyPatch, marks: Path) -> None:
    """The fake whole section lasts until the three fake parts are built (at most 20 s), so the
    lane that takes it stays busy while the other lane builds the parts."""
    whole = sys.modules["wattshift.report.fake_whole"].build_section
    part = sys.modules["wattshift.report.fake_parted"].build_part

    def long_task(wh: object, **kw: Any) -> Section:
        waited = 0.0
        while waited < 20.0 and (not marks.exists() or len(marks.read_text()) < 3):
            time.sleep(0.02)
            waited += 0.02
        section: Section = whole(wh, **kw)
        return section

    def counted_part(wh: object, p: int, **kw: Any) -> str:
        text: str = part(wh, p, **kw)
        with marks.open("a") as out:
            out.write("x")
        return text

    monkeypatch.setattr(sys.modules["wattshift.report.fake_whole"], "build_section", long_task)
    monkeypatch.setattr(sys.modules["wattshift.report.fake_parted"], "build_part", counted_part)


def test_a_lane_held_up_by_a_long_task_leaves_the_remaining_tasks_to_the_other(
    fake_sections: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever lane takes the long section first is busy with it; the other builds every part
    (a lane given both by a fixed plan would wait 20 s for its own parts, then fail the test)."""
    _hold_whole_until_parts_built(monkeypatch, tmp_path / "parts built")
    result = lanes.build_report_in_lanes(_opener, tmp_path / "out", lanes=2)
    page = result.path.read_text()
    whole_pid = re.findall(r"whole pid=(\d+)", page)
    parts_pids = set(re.findall(r"part \d pid=(\d+)", page))
    assert len(whole_pid) == 1 and len(parts_pids) == 1
    assert parts_pids != set(whole_pid)  # the three parts went to the lane that was free
    assert result.sections == ["fake_whole", "fake_parted"]


def test_two_lanes_write_the_serial_page(
    fake_sections: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = lanes.build_report_in_lanes(_opener, tmp_path / "one", lanes=1)
    _hold_whole_until_parts_built(monkeypatch, tmp_path / "parts built")  # both lanes get work
    two = lanes.build_report_in_lanes(_opener, tmp_path / "two", lanes=2)
    assert one.sections == two.sections == ["fake_whole", "fake_parted"]
    assert one.failures == two.failures == {"fake_failing": "ValueError: no prices for HB_NOWHERE"}
    pages = [r.path.read_text() for r in (one, two)]
    pids = [set(re.findall(r"pid=(\d+)", page)) for page in pages]
    assert len(pids[0]) == 1 and len(pids[1]) == 2  # the second page came from two processes
    strip = [re.sub(r"pid=\d+|Generated by .*? UTC", "", page) for page in pages]
    assert strip[0] == strip[1]
    assert strip[1].index("part 1") < strip[1].index("part 2") < strip[1].index("part 3")
    ids = re.findall(r'<div id="(wattshift-figure-[^"]+)"', pages[1])
    assert ids == [f"wattshift-figure-{i}" for i in range(4)]  # unique, numbered in page order
    assert "Failed:</strong> ValueError: no prices for HB_NOWHERE" in pages[1]


def test_a_worker_that_dies_fails_the_task_it_was_building_and_the_report_still_ends(
    fake_sections: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()

    took = tmp_path / "worker took a task"

    def dying(wh: object, *args: Any, **_: Any) -> Any:
        if os.getpid() != parent:
            took.touch()
            os._exit(3)
        waited = 0.0  # the parent cannot take every task before the worker takes one (up to 20 s)
        while waited < 20.0 and not took.exists():
            time.sleep(0.02)
            waited += 0.02
        return f"<p>part {args}</p>" if args else Section(id="whole", title="Whole", html="<p>whole</p>")

    monkeypatch.setattr(sys.modules["wattshift.report.fake_parted"], "build_part", dying)
    monkeypatch.setattr(sys.modules["wattshift.report.fake_whole"], "build_section", dying)
    result = lanes.build_report_in_lanes(_opener, tmp_path / "out", lanes=2)
    dead = {name: msg for name, msg in result.failures.items() if "exit code 3" in msg}
    assert len(dead) == 1, result.failures  # the one task the worker took; the parent built the rest
    assert set(result.failures) == {*dead, "fake_failing"}
    assert result.path.exists()


def test_a_lane_that_cannot_open_the_warehouse_leaves_its_share_to_the_other(
    fake_sections: list[str], tmp_path: Path
) -> None:
    parent = os.getpid()

    @contextmanager
    def opener() -> Iterator[Any]:
        if os.getpid() != parent:
            raise OSError("warehouse is locked")
        yield object()

    result = lanes.build_report_in_lanes(opener, tmp_path, lanes=2)
    assert result.sections == ["fake_whole", "fake_parted"]
    assert set(result.failures) == {"fake_failing"}
    assert set(re.findall(r"pid=(\d+)", result.path.read_text())) == {str(parent)}


def test_when_no_lane_can_open_the_warehouse_every_section_fails_saying_why(
    fake_sections: list[str], tmp_path: Path
) -> None:
    @contextmanager
    def opener() -> Iterator[Any]:
        raise OSError(f"warehouse is locked (pid {'parent' if os.getpid() == parent else 'worker'})")
        yield object()

    parent = os.getpid()
    result = lanes.build_report_in_lanes(opener, tmp_path, lanes=2)
    assert result.sections == []
    both = "OSError: warehouse is locked (pid parent); OSError: warehouse is locked (pid worker)"
    assert result.failures == dict.fromkeys(fake_sections, both)


def test_figure_ids_from_different_processes_are_renumbered_in_page_order() -> None:
    a = Section(id="a", title="A", html='<div id="wattshift-figure-11-0"></div>"wattshift-figure-11-0"')
    b = Section(
        id="b", title="B", html='<div id="wattshift-figure-12-0"></div><div id="wattshift-figure-11-1">'
    )
    out = renumber_figures([a, b])
    assert out[0].html == '<div id="wattshift-figure-0"></div>"wattshift-figure-0"'
    assert out[1].html == '<div id="wattshift-figure-1"></div><div id="wattshift-figure-2">'


def test_a_failure_reads_the_same_in_the_page_serial_or_in_lanes(
    fake_sections: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wattshift error (module-qualified class) is named by its class alone, in both builds."""
    from wattshift.errors import NotInWarehouseError

    def failing(wh: object, **_: Any) -> Section:
        raise NotInWarehouseError("no prices for HB_NOWHERE")

    monkeypatch.setattr(sys.modules["wattshift.report.fake_failing"], "build_section", failing)
    serial = build.build_report(object(), tmp_path / "serial")  # type: ignore[arg-type]
    in_lanes = lanes.build_report_in_lanes(_opener, tmp_path / "lanes", lanes=2)
    message = "NotInWarehouseError: no prices for HB_NOWHERE"
    assert serial.failures == in_lanes.failures == {"fake_failing": message}
    for result in (serial, in_lanes):
        assert f"Failed:</strong> {message}</p>" in result.path.read_text()
