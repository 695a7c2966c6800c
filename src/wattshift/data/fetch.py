"""Download the public data into a folder laid out like the shared data folder, through pooch.

``fetch_all(dest)`` gets every automatic entry of :data:`MANIFEST` from its pinned public origin
with :mod:`pooch` (retries, a download cache, hash checks), reshapes it where the shared copy was
reshaped, checks the pinned SHA-256 of the result and that it parses, and only then renames it
into place, so ``WATTSHIFT_DATA_DIR=dest`` works like the shared folder.

- **Hashes.** Every target has a pinned SHA-256 (:mod:`wattshift.data.fetch_hashes`). A verbatim
  file is checked by pooch as it downloads (a mismatch is retried, then refused); a reshaped file
  is checked after the transform (its origins have no pinned hash: pooch keeps them unchecked and a
  mismatch of the result drops them from the cache, so the next run downloads them again).
- **Retries.** ``retries`` more attempts after a failed download (HTTP error, cut connection,
  wrong hash), waiting 1 s, 2 s, ... in between (pooch's ``retry_if_failed``).
- **Cache.** Downloads are kept in ``cache_dir`` (default: the user cache,
  ``pooch.os_cache("wattshift")``); a second run finds them there and sends no request.
- **Atomic.** The target is written as ``.<name>.part`` beside it and renamed into place after
  the checks; a failure leaves neither a partial target nor a temporary file.
- **Provenance.** ``dest/SOURCES.json`` records, for every fetched file, its URL(s), licence and
  SHA-256 (updated by each run).
- **Mirror.** ``base_urls={"mirror": "http://host/data"}`` fetches every target verbatim from
  ``http://host/data/<target>`` (a web server over a copy of a data folder), hash-checked. It is
  the only way to get the *mirror-only* files (ASIC catalogue, GPU prices, ERCOT native load and
  4CP table), which have no single public origin; without a mirror they are skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

import pooch
import requests

from wattshift.data.fetch_manifest import DEFAULT_HOSTS, MANIFEST, ManifestEntry, manifest_entry
from wattshift.data.fetch_transforms import verbatim
from wattshift.data.registry import spec_for
from wattshift.data.validate import read_csv_text
from wattshift.errors import DataError, NetworkError

__all__ = [
    "MANIFEST",
    "FetchError",
    "Progress",
    "default_cache_dir",
    "fetch_all",
    "fetch_entry",
    "verify_file",
]

log = logging.getLogger(__name__)

#: ``progress(file_name, bytes_done, bytes_total)``; ``bytes_total`` is 0 when the server sends no length.
Progress = Callable[[str, int, int], None]

USER_AGENT: Final[str] = "wattshift-data-fetch/0.2 (pooch)"
TIMEOUT_S: Final[float] = 60.0
#: Extra attempts after a failed download.
DEFAULT_RETRIES: Final[int] = 2


class FetchError(NetworkError):
    """A download failed: the message names the file, the URL and the HTTP status or network error."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


def default_cache_dir() -> Path:
    """The download cache: ``$WATTSHIFT_CACHE_DIR`` or the user cache folder of ``wattshift``."""
    raw = os.environ.get("WATTSHIFT_CACHE_DIR")
    return Path(raw) if raw else Path(pooch.os_cache("wattshift"))


def verify_file(target: str, path: Path) -> None:
    """Check that the file at ``path`` parses as the data file ``target``.

    Uses the reader that :mod:`wattshift.data.registry` lists for the target's file name (the same
    adapter ``wattshift data ingest`` will use); files without a reader (the Coin Metrics metric
    dictionary) must be a well-formed, non-empty CSV.

    Raises
    ------
    DataError
        Naming ``target`` (and the line/column where the adapter knows them).
    """
    try:
        reader = spec_for(target).load_reader()
    except DataError:
        reader = None
    try:
        if reader is not None:
            reader(path)
        else:
            read_csv_text(path, target)
    except DataError as exc:
        raise exc.with_file(target) from None


class _Bar:
    """The progress-bar object pooch's ``HTTPDownloader`` drives, reporting to a :data:`Progress`."""

    def __init__(self, label: str, progress: Progress) -> None:
        self.label = label
        self.progress = progress
        self._total = 0
        self.done = 0

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = int(value or 0)
        self.done = 0
        self.progress(self.label, 0, self._total)

    def update(self, n: int) -> None:
        self.done += int(n)
        if self._total:
            self.done = min(self.done, self._total)
        self.progress(self.label, self.done, self._total)

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        """Nothing to release."""


def _cache_name(url: str) -> str:
    """Cache file of an origin without a pinned hash: ``origins/<url hash>-<file name>``."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"origins/{digest}-{url.rsplit('/', 1)[-1].split('?')[0] or 'index'}"


def _retrieve(
    url: str, fname: str, known_hash: str | None, *, cache: Path, retries: int, bar: _Bar | None
) -> Path:
    """Get ``url`` into ``cache / fname`` with pooch (cached, hash-checked, retried)."""
    store = pooch.create(
        path=cache,
        base_url="",
        registry={fname: None if known_hash is None else f"sha256:{known_hash}"},
        urls={fname: url},
        retry_if_failed=retries,
    )
    downloader = pooch.HTTPDownloader(
        progressbar=bar if bar is not None else False,
        chunk_size=1 << 18,
        timeout=TIMEOUT_S,
        headers={"User-Agent": USER_AGENT},
    )
    attempts = retries + 1
    try:
        return Path(store.fetch(fname, downloader=downloader))
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        raise FetchError(f"HTTP {status} after {attempts} attempt(s)", url=url, status=status) from None
    except requests.RequestException as exc:
        raise FetchError(
            f"download failed after {attempts} attempt(s) ({type(exc).__name__}: {exc})", url=url
        ) from None
    except ValueError as exc:  # pooch: the downloaded file's hash is not the pinned one
        raise FetchError(
            f"{fname}: downloaded bytes do not have the pinned sha256 {known_hash} after {attempts} "
            f"attempt(s); refused ({exc})",
            url=url,
        ) from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _place(entry: ManifestEntry, dest: Path, write: Callable[[Path], object]) -> Path:
    """Write ``entry``'s target through ``write(part)``, verify it parses, rename it into place."""
    final = dest / entry.target
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f".{final.name}.part")
    try:
        write(part)
        verify_file(entry.target, part)
        part.replace(final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    return final


def fetch_entry(
    entry: ManifestEntry,
    dest: Path,
    *,
    base_urls: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cache_dir: Path | None = None,
    retries: int = DEFAULT_RETRIES,
) -> Path:
    """Download (or take from the cache), transform, check and atomically place one entry.

    Parameters
    ----------
    entry
        What to fetch.
    dest
        Data folder; the file lands at ``dest / entry.target``.
    base_urls
        Host overrides; with a ``"mirror"`` key the target is fetched verbatim from the mirror.
    progress
        Called as ``progress(file_name, bytes_done, bytes_total)`` while downloading.
    cache_dir
        pooch's download cache (default :func:`default_cache_dir`).
    retries
        Extra attempts after a failed download.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FetchError
        HTTP error, network failure or wrong hash after every attempt (names the file and URL), or
        an entry without a public origin and no mirror.
    DataError
        The downloaded data does not have the expected layout or does not parse.
    """
    cache = cache_dir or default_cache_dir()
    final = dest / entry.target
    if final.is_file() and _sha256(final.read_bytes()) == entry.sha256:
        return final  # already there, byte for byte
    mirror = (base_urls or {}).get("mirror")
    if not mirror and not entry.automatic:
        raise FetchError("no public origin for this file; give a mirror (--mirror URL)", url=entry.target)
    if mirror or entry.transform is verbatim:
        url = f"{mirror.rstrip('/')}/{entry.target}" if mirror else entry.urls(base_urls)[0]
        bar = _Bar(entry.label, progress) if progress is not None else None
        cached = _retrieve(url, entry.target, entry.sha256, cache=cache, retries=retries, bar=bar)
        return _place(entry, dest, lambda part: shutil.copyfile(cached, part))
    data = _reshaped(entry, entry.urls(base_urls), cache=cache, retries=retries, progress=progress)
    return _place(entry, dest, lambda part: part.write_bytes(data))


def _reshaped(
    entry: ManifestEntry, urls: list[str], *, cache: Path, retries: int, progress: Progress | None
) -> bytes:
    """Origins of a reshaped entry (cached, unchecked) → its transform's bytes, hash-checked."""
    paths = []
    for i, url in enumerate(urls):
        label = entry.label if len(urls) == 1 else f"{entry.label} [{i + 1}/{len(urls)}]"
        bar = _Bar(label, progress) if progress is not None else None
        paths.append(_retrieve(url, _cache_name(url), None, cache=cache, retries=retries, bar=bar))
    try:
        data = entry.transform([p.read_bytes() for p in paths])
    except DataError as exc:
        raise exc.with_file(f"{entry.target} (from {', '.join(urls)})") from None
    got = _sha256(data)
    if got != entry.sha256:
        for path in paths:  # unchecked origins: download them again next time
            path.unlink(missing_ok=True)
        raise FetchError(
            f"{entry.target}: the reshaped download has sha256 {got}, not the pinned {entry.sha256}; "
            "refused (did the origin change?)",
            url=", ".join(urls),
        )
    return data


def fetch_all(
    dest: Path,
    *,
    base_urls: dict[str, str] | None = None,
    progress: Progress | None = None,
    only: Iterable[str] | None = None,
    cache_dir: Path | None = None,
    retries: int = DEFAULT_RETRIES,
) -> list[Path]:
    """Download the public data into ``dest`` with the shared folder's layout and file names.

    Parameters
    ----------
    dest
        Target data folder (created if missing).
    base_urls
        Overrides of :data:`~wattshift.data.fetch_manifest.DEFAULT_HOSTS` by host key
        (``github_raw``, ``alternative_me``), e.g. for tests; ``"mirror"`` fetches every file
        verbatim from ``<mirror>/<target>``.
    progress
        ``progress(file_name, bytes_done, bytes_total)`` during each download (the CLI shows a
        Rich bar); ``bytes_total`` is 0 when unknown.
    only
        Targets or file names to fetch (default: all).
    cache_dir
        pooch's download cache (default :func:`default_cache_dir`).
    retries
        Extra attempts after a failed download.

    Returns
    -------
    list[pathlib.Path]
        Files written, in manifest order. Mirror-only entries are skipped (logged) without a mirror.

    Raises
    ------
    FetchError
        On the first download that fails every attempt or has the wrong hash; files already
        fetched stay.
    DataError
        When downloaded data does not parse; no file is written for it.
    """
    unknown_hosts = set(base_urls or {}) - set(DEFAULT_HOSTS) - {"mirror"}
    if unknown_hosts:
        raise ValueError(f"unknown host key(s) {sorted(unknown_hosts)}; known: {[*DEFAULT_HOSTS, 'mirror']}")
    entries = list(MANIFEST) if only is None else [manifest_entry(t) for t in only]
    dest.mkdir(parents=True, exist_ok=True)
    mirror = bool((base_urls or {}).get("mirror"))
    written: list[Path] = []
    pooch_log = pooch.get_logger()
    level = pooch_log.level
    pooch_log.setLevel(logging.WARNING)  # progress is reported through ``progress``, not pooch's log
    try:
        for entry in entries:
            if not entry.automatic and not mirror:
                log.warning("skipped %s: %s", entry.target, entry.transform_note)
                continue
            written.append(
                fetch_entry(
                    entry, dest, base_urls=base_urls, progress=progress, cache_dir=cache_dir, retries=retries
                )
            )
    finally:
        pooch_log.setLevel(level)
    if written:
        record_sources(dest, [manifest_entry(p.relative_to(dest).as_posix()) for p in written], base_urls)
    return written


#: File beside the data that records, for every fetched file, its origin, licence and sha256.
SOURCES_FILE: Final[str] = "SOURCES.json"


def record_sources(dest: Path, entries: list[ManifestEntry], base_urls: Mapping[str, str] | None) -> Path:
    """Add ``entries`` (origin URLs or mirror, licence, sha256) to ``dest / SOURCES.json`` (atomically)."""
    path = dest / SOURCES_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        known = {}  # an unreadable record is rebuilt from what this run fetched
    mirror = (base_urls or {}).get("mirror")
    for entry in entries:
        info = entry.describe(base_urls)
        if mirror:
            info["urls"] = [f"{mirror.rstrip('/')}/{entry.target}"]
        known[entry.target] = {k: info[k] for k in ("urls", "licence", "sha256", "transform")}
    part = path.with_name(f".{SOURCES_FILE}.part")
    part.write_text(json.dumps(dict(sorted(known.items())), indent=1) + "\n", encoding="utf-8")
    part.replace(path)
    return path
