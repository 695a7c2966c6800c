"""The parts of a ``data fetch`` manifest entry: hosts, origins, the entry, its pinned hash.

A :class:`ManifestEntry` names the target file (relative to the data folder), its public origin(s)
pinned to a commit, the licence to carry with it, the transform from the downloaded bytes to the
target layout and, through :data:`~wattshift.data.fetch_hashes.SHA256`, the SHA-256 of the target.
Entries without an origin are *mirror only*: ``data fetch --mirror URL`` gets them verbatim from a
web server over a copy of a data folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote

from wattshift.data.fetch_hashes import SHA256
from wattshift.data.fetch_transforms import Transform
from wattshift.data.registry import registry_key

#: Base URL of each host key.
DEFAULT_HOSTS: Final[Mapping[str, str]] = {
    "github_raw": "https://raw.githubusercontent.com",
    "alternative_me": "https://api.alternative.me",
}

#: What ``--list`` shows for an entry that has no public origin.
MIRROR_ONLY: Final[str] = "mirror only (no public origin): wattshift data fetch --mirror URL"


@dataclass(frozen=True)
class Origin:
    """One download: ``host`` key (see :data:`DEFAULT_HOSTS`) and the URL path (with query)."""

    host: str
    path: str

    def url(self, base_urls: Mapping[str, str]) -> str:
        """Full URL, with ``base_urls[host]`` (no trailing slash needed) as the host part."""
        return base_urls[self.host].rstrip("/") + self.path


def gh(repo: str, commit: str, path: str) -> Origin:
    """A file of a public GitHub repository at a pinned commit (raw.githubusercontent.com)."""
    return Origin("github_raw", f"/{repo}/{commit}/{quote(path)}")


@dataclass(frozen=True)
class ManifestEntry:
    """One target file of the data folder and how to rebuild it from its public origin(s)."""

    target: str
    description: str
    origins: tuple[Origin, ...]
    licence: str
    transform: Transform = field(repr=False)
    transform_note: str = "verbatim (the origin file unchanged)"

    @property
    def name(self) -> str:
        """File name without the sub-folder."""
        return self.target.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        """Name shown in progress reports: the registry key (``SE3/2024.csv`` where names repeat)."""
        return registry_key(self.target)

    @property
    def automatic(self) -> bool:
        """True if it can be rebuilt from public origins (False: only from a mirror)."""
        return bool(self.origins)

    @property
    def sha256(self) -> str:
        """Pinned hex SHA-256 of the target file's bytes."""
        return SHA256[self.target]

    def urls(self, base_urls: Mapping[str, str] | None = None) -> list[str]:
        """Origin URLs with ``base_urls`` overriding :data:`DEFAULT_HOSTS`."""
        hosts = {**DEFAULT_HOSTS, **(base_urls or {})}
        return [o.url(hosts) for o in self.origins]

    def describe(self, base_urls: Mapping[str, str] | None = None) -> dict[str, object]:
        """Plain dict for ``wattshift data fetch --list`` (JSON-ready)."""
        return {
            "target": self.target,
            "description": self.description,
            "urls": self.urls(base_urls),
            "mirror_only": not self.automatic,
            "licence": self.licence,
            "sha256": self.sha256,
            "transform": self.transform_note,
        }
