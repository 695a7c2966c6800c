"""The self-contained HTML report (``wattshift report``)."""
