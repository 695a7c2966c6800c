"""The HiGHS banner ("Running HiGHS 1.x …") is never printed, on stdout or stderr (issue 13, item 7).

HiGHS prints it once per process, from C++ to file descriptor 1, in the first ``Highs()``
constructor. The first test therefore runs a dispatch solve in a fresh interpreter, where that
constructor is certainly the first; the second checks a solve inside the test process with ``capfd``
(file-descriptor capture, which sees C++ output that ``capsys`` would miss).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from _dispatch_helpers import problem
from wattshift.dispatch.lp import solve_lp

_SCRIPT = textwrap.dedent(
    """
    import numpy as np
    from _dispatch_helpers import problem
    from wattshift.dispatch.lp import solve_lp

    p = problem([0.0, 0.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0]))
    s = solve_lp(p)
    assert s.solver == "lp", s.solver
    """
)


def test_fresh_process_prints_no_banner() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "HiGHS" not in done.stderr


def test_dispatch_solve_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # Margins +50 then -100 USD/MWh with a 2 MW ramp: x <= 2 MW at t0 lets the fleet stop at t1
    # (50x USD); x > 2 forces x - 2 MW at a loss (200 - 50x USD). Best: x = 2, 100 USD.
    p = problem([0.0, 150.0], [[50.0, 50.0]], [10.0], ramp_mw_per_interval=np.array([2.0]))
    s = solve_lp(p)
    out, err = capfd.readouterr()
    assert s.objective_usd == pytest.approx(100.0)
    assert (out, err) == ("", "")
