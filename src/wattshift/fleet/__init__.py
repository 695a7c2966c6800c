"""Fleet control: from planned MW per fleet to machines, only through pyasic.

Modules: :mod:`~wattshift.fleet.addresses` (IP specs), :mod:`~wattshift.fleet.model` (value types),
:mod:`~wattshift.fleet.targets` (which machine sleeps, wakes or gets a power target; ramp-limited
batches; pure), :mod:`~wattshift.fleet.plan` (a dispatch plan's targets at a time; pure),
:mod:`~wattshift.fleet.control` (pyasic calls with timeout and retries) and
:mod:`~wattshift.fleet.apply` (scan, apply, read back).
"""
