"""Source adapters: ``read_*`` (file), ``parse_*`` (buffer), ``fetch_*`` (HTTP).

This package is the only place that parses files or talks HTTP. Every adapter returns a frame
in one of the canonical layouts of :mod:`wattshift.data.schema`.
"""
