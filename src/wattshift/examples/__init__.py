"""Example sites, published deal terms and sweep grids, shipped with the package (data only).

The files are found with :mod:`importlib.resources`, so they work from a source checkout and from an
installed wheel alike; :mod:`wattshift.services.sites` lists them and resolves a name such as
``west_texas_hybrid`` to its file.

- ``sites/*.toml``: example sites (``wattshift dispatch --site west_texas_hybrid``);
- ``grids/*.toml``: sweep grids (``wattshift value sweep --grid portfolio``);
- ``deals.toml``: published AI-hosting deal terms behind the valuation defaults.
"""
