"""Alerts: rules evaluated on a snapshot of the warehouse (pure), then de-duplicated and quieted.

:mod:`~wattshift.alerts.evaluate` turns rules and a :class:`~wattshift.alerts.evaluate.Snapshot`
into alerts; :mod:`~wattshift.alerts.policy` decides which are sent (repeat window, quiet hours).
Notification (apprise) and the warehouse record live in :mod:`wattshift.services.alerts`.
"""
