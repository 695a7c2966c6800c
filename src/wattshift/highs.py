"""HiGHS instances for wattshift's solvers: quiet, and usable in a forked child process.

Both engines that solve with HiGHS (:mod:`wattshift.dispatch` and :mod:`wattshift.valuation`)
construct their instances here.

Fork safety. HiGHS keeps one task scheduler per process, with worker threads started by the first
run that asks for more than one thread (HiGHS 1.16, ``HighsTaskExecutor``). A child forked after
that inherits the scheduler's state but not its threads (``fork`` copies the calling thread only),
so its first parallel run waits for workers that do not exist and spins forever: a report lane
forked from a process that had valued a site (the conversion plan runs on the default pool) hung
this way. On import this module registers a handler (:func:`os.register_at_fork`) that resets the
scheduler in every forked child (``Highs.resetGlobalScheduler``, HiGHS's call for this), so the
child's first run starts a pool of its own.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import highspy


def quiet_highs() -> highspy.Highs:
    """``highspy.Highs()`` without its start-up banner and with its log off.

    HiGHS prints the banner ("Running HiGHS …") from C++ to file descriptor 1 in the first
    constructor of a process, before any option can be set, so descriptor 1 points at
    ``os.devnull`` for the duration of the constructor (stdout carries wattshift's JSON; stderr only
    its own messages).
    """
    import highspy

    sys.stdout.flush()
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no real stdout (embedded interpreters): nothing to protect
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
    h.setOptionValue("output_flag", False)
    return h


def reset_after_fork() -> None:
    """In a forked child: drop the parent's HiGHS scheduler (whose threads did not come along).

    Does nothing where HiGHS was never imported.
    """
    highspy = sys.modules.get("highspy")
    if highspy is not None:
        highspy.Highs.resetGlobalScheduler(True)


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=reset_after_fork)
