"""Download the public data into a folder laid out like the shared data folder.

``fetch_all(dest)`` fetches every automatic entry of :data:`MANIFEST` from its pinned public
origin, reshapes it where the shared copy was reshaped, checks that the result parses, and only
then renames it into place, so ``WATTSHIFT_DATA_DIR=dest`` works like the shared folder.

Safety: each download streams to a temporary file beside the target (``.<name>.part``); the
result is renamed into place with :meth:`pathlib.Path.replace` (atomic on one file system) only
after the download is complete (Content-Length checked) and the data verified. An interrupted or
failed download leaves no partial target file and no temporary file.

Mirrors: ``base_urls={"mirror": "http://host/data"}`` fetches every target verbatim from
``http://host/data/<target>`` (a web server over a copy of the data folder); that is the only way to
get the two hand-compiled tables (``asics/``, ``gpu/``), which have no single public origin.
Without a mirror those two are skipped (compare the returned paths with :data:`MANIFEST`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

import httpx

from wattshift.data.fetch_manifest import DEFAULT_HOSTS, MANIFEST, ManifestEntry, manifest_entry
from wattshift.data.registry import spec_for
from wattshift.data.validate import read_csv_text
from wattshift.errors import DataError, NetworkError

__all__ = ["MANIFEST", "FetchError", "Progress", "fetch_all", "fetch_entry", "verify_file"]

log = logging.getLogger(__name__)

#: ``progress(file_name, bytes_done, bytes_total)``; ``bytes_total`` is 0 when the server sends no length.
Progress = Callable[[str, int, int], None]

USER_AGENT: Final[str] = "wattshift-data-fetch/0.1 (python-httpx)"
TIMEOUT: Final[httpx.Timeout] = httpx.Timeout(60.0, connect=15.0)
_CHUNK: Final[int] = 1 << 18


class FetchError(NetworkError):
    """A download failed: the message names the URL and the HTTP status or network error."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


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


def _download(
    client: httpx.Client,
    url: str,
    part: Path,
    label: str,
    progress: Progress | None,
) -> None:
    """Stream ``url`` into ``part``; raise :class:`FetchError` on HTTP errors or a short body."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FetchError(
                    f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                    url=url,
                    status=response.status_code,
                )
            # Content-Length counts the bytes on the wire (compressed, if the server gzips):
            # progress and the completeness check use ``num_bytes_downloaded``, the file gets
            # the decoded bytes.
            total = int(response.headers.get("content-length") or 0)
            if progress is not None:
                progress(label, 0, total)
            with part.open("wb") as fh:
                for chunk in response.iter_bytes(_CHUNK):
                    fh.write(chunk)
                    if progress is not None:
                        progress(label, response.num_bytes_downloaded, total)
            done = response.num_bytes_downloaded
            if total and done != total:
                raise FetchError(f"download ended after {done} of {total} bytes", url=url)
    except httpx.HTTPError as exc:
        raise FetchError(f"download failed ({type(exc).__name__}: {exc})", url=url) from None


def fetch_entry(
    entry: ManifestEntry,
    dest: Path,
    *,
    client: httpx.Client,
    base_urls: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cache: dict[str, bytes] | None = None,
) -> Path:
    """Download, transform, verify and atomically place one manifest entry under ``dest``.

    Parameters
    ----------
    entry
        What to fetch.
    dest
        Data folder; the file lands at ``dest / entry.target``.
    client
        HTTP client (follows redirects).
    base_urls
        Host overrides; with a ``"mirror"`` key the target is fetched verbatim from the mirror.
    progress
        Called as ``progress(file_name, bytes_done, bytes_total)`` while downloading.
    cache
        Origin bytes by URL, shared between entries of one run (one origin feeds several files).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FetchError
        HTTP error status or network failure (names the URL).
    DataError
        The downloaded data does not have the expected layout or does not parse.
    """
    mirror = (base_urls or {}).get("mirror")
    if mirror:
        urls = [f"{mirror.rstrip('/')}/{entry.target}"]
        transform = None
    elif entry.automatic:
        urls = entry.urls(base_urls)
        transform = entry.transform
    else:
        raise FetchError(
            "no public origin for this file; give a mirror (base_urls['mirror'])", url=entry.target
        )

    final = dest / entry.target
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f".{final.name}.part")
    cache = {} if cache is None else cache
    try:
        inputs: list[bytes] = []
        for i, url in enumerate(urls):
            if url not in cache:
                label = entry.name if len(urls) == 1 else f"{entry.name} [{i + 1}/{len(urls)}]"
                _download(client, url, part, label, progress)
                cache[url] = part.read_bytes()
            inputs.append(cache[url])
        try:
            data = inputs[0] if transform is None else transform(inputs)
        except DataError as exc:
            raise exc.with_file(f"{entry.target} (from {', '.join(urls)})") from None
        part.write_bytes(data)
        verify_file(entry.target, part)
        part.replace(final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    log.info("fetched %s", final)
    return final


def fetch_all(
    dest: Path,
    *,
    base_urls: dict[str, str] | None = None,
    progress: Progress | None = None,
    client: httpx.Client | None = None,
    only: Iterable[str] | None = None,
) -> list[Path]:
    """Download the public data into ``dest`` with the shared folder's layout and file names.

    Parameters
    ----------
    dest
        Target data folder (created if missing); sub-folders ``onchain/``, ``power/``, ``asics/``,
        ``gpu/``.
    base_urls
        Overrides of :data:`~wattshift.data.fetch_manifest.DEFAULT_HOSTS` by host key
        (``github_raw``, ``alternative_me``), e.g. for tests or mirrors; ``"mirror"`` fetches every
        file verbatim from ``<mirror>/<target>``.
    progress
        ``progress(file_name, bytes_done, bytes_total)`` during each download (the CLI shows a
        Rich bar); ``bytes_total`` is 0 when unknown.
    client
        An ``httpx.Client`` to use (closed by the caller); default: a new one with redirects on.
    only
        Targets or file names to fetch (default: all).

    Returns
    -------
    list[pathlib.Path]
        Files written, in manifest order. Entries without a public origin are skipped (logged)
        unless a mirror is given.

    Raises
    ------
    FetchError
        On the first failed download (URL + status); files already fetched stay.
    DataError
        When downloaded data does not parse; no file is written for it.
    """
    unknown_hosts = set(base_urls or {}) - set(DEFAULT_HOSTS) - {"mirror"}
    if unknown_hosts:
        raise ValueError(f"unknown host key(s) {sorted(unknown_hosts)}; known: {[*DEFAULT_HOSTS, 'mirror']}")
    entries = list(MANIFEST) if only is None else [manifest_entry(t) for t in only]
    dest.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(follow_redirects=True, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})
    written: list[Path] = []
    cache: dict[str, bytes] = {}
    try:
        for entry in entries:
            if not entry.automatic and not (base_urls or {}).get("mirror"):
                log.warning("skipped %s: %s", entry.target, entry.transform_note)
                continue
            written.append(
                fetch_entry(entry, dest, client=http, base_urls=base_urls, progress=progress, cache=cache)
            )
    finally:
        if own_client:
            http.close()
    return written
