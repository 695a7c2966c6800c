"""Emulated ASIC miners on loopback, speaking the protocols pyasic uses, with scriptable faults.

A :class:`MinerFarm` starts one emulated machine per loopback address: the CGMiner-style JSON RPC on
TCP port 4028 for every firmware, and for stock Antminer firmware the web API on port 80 (HTTP digest
auth). pyasic's factory always connects to ports 4028 and 80, so each machine needs its own address;
Linux routes all of 127.0.0.0/8 to ``lo``, and port 80 needs root or ``CAP_NET_BIND_SERVICE``
(:func:`can_bind_port_80` tells tests whether to run). What each firmware answers is in
:mod:`wattshift.testing.miner_state`.

The servers run on an event loop in a background thread, answer one request per connection (as the
real firmware does) and stop with the farm; a ``hang`` fault holds a connection for at most
:data:`~wattshift.testing.miner_state.HANG_S` seconds.

Examples
--------
>>> with MinerFarm.start([EmulatedMiner("127.42.0.1")]) as farm:  # doctest: +SKIP
...     farm.miners["127.42.0.1"].faults.hang = True
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from wattshift.testing.miner_state import HANG_S, REALM, EmulatedMiner, Faults, Firmware, loopback_addresses

__all__ = ["EmulatedMiner", "Faults", "Firmware", "MinerFarm", "can_bind_port_80", "loopback_addresses"]

RPC_PORT = 4028
WEB_PORT = 80


def can_bind_port_80(ip: str = "127.42.255.254") -> bool:
    """Whether this process may listen on ``ip``:80 (root or ``CAP_NET_BIND_SERVICE``)."""
    with socket.socket() as sock:
        try:
            sock.bind((ip, WEB_PORT))
        except OSError:
            return False
    return True


class MinerFarm:
    """Emulated miners served on loopback from a background event loop.

    Use :meth:`start` as a context manager; ``miners`` maps IP to :class:`EmulatedMiner`, whose state
    and ``faults`` tests read and change while the farm runs.
    """

    def __init__(self, miners: Iterable[EmulatedMiner]) -> None:
        self.miners: dict[str, EmulatedMiner] = {m.ip: m for m in miners}
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="miner-farm", daemon=True)
        self._servers: list[asyncio.Server] = []

    @classmethod
    def start(cls, miners: Iterable[EmulatedMiner]) -> MinerFarm:
        """Start serving ``miners``; raises OSError when an address/port cannot be bound."""
        farm = cls(miners)
        farm._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(farm._serve_all(), farm._loop).result(timeout=60)
        except BaseException:
            farm.stop()
            raise
        return farm

    async def _serve_all(self) -> None:
        for miner in self.miners.values():
            self._servers.append(await asyncio.start_server(self._rpc_handler(miner), miner.ip, RPC_PORT))
            if miner.firmware == "antminer":
                server = await asyncio.start_server(self._web_handler(miner), miner.ip, WEB_PORT)
                self._servers.append(server)

    def stop(self) -> None:
        """Close every server and stop the loop (idempotent)."""
        if self._loop.is_closed():
            return

        async def close() -> None:
            for server in self._servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> MinerFarm:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def total_power_w(self, ips: Iterable[str] | None = None) -> float:
        """Power drawn now by ``ips`` (default all) [W]."""
        chosen = self.miners.values() if ips is None else (self.miners[ip] for ip in ips)
        return sum(m.drawn_w for m in chosen)

    # -- connection handlers -----------------------------------------------------------------------

    async def _gate(self, miner: EmulatedMiner, writer: asyncio.StreamWriter) -> bool:
        """Apply connection faults; False when the connection must not be answered."""
        self.requests += 1
        if miner.faults.refuse:  # a closed port: reset the connection before any byte
            writer.transport.abort()
            return False
        if miner.faults.hang:
            await asyncio.sleep(HANG_S)
            writer.close()
            return False
        return True

    def _rpc_handler(self, miner: EmulatedMiner) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                raw = await asyncio.wait_for(reader.read(65536), timeout=5)
                if not await self._gate(miner, writer):
                    return
                try:
                    reply = miner.rpc(json.loads(raw.decode("utf-8")))
                except (ValueError, UnicodeDecodeError):
                    reply = {"STATUS": [{"STATUS": "E", "Msg": "JSON decode error"}], "id": 1}
                writer.write(json.dumps(reply).encode("utf-8") + b"\x00")
                await writer.drain()
            except (TimeoutError, ConnectionError, asyncio.CancelledError):
                pass  # a cancelled handler is the farm stopping
            finally:
                writer.close()

        return handle

    def _web_handler(self, miner: EmulatedMiner) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
                if not await self._gate(miner, writer):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                pairs = (x.partition(":") for x in lines[1:] if x)
                headers = {k.strip().lower(): v.strip() for k, _, v in pairs}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, extra, payload = _web_reply(miner, method, target, headers, body)
                writer.write(_http_response(status, extra, payload))
                await writer.drain()
            except (
                TimeoutError,
                ConnectionError,
                asyncio.IncompleteReadError,
                ValueError,
                asyncio.CancelledError,
            ):
                pass
            finally:
                writer.close()

        return handle


def _web_reply(
    miner: EmulatedMiner, method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """(status, extra headers, body) of one HTTP request to an emulated Antminer."""
    challenge = {"WWW-Authenticate": f'Digest realm="{REALM}", nonce="{secrets.token_hex(8)}", qop="auth"'}
    path = target.split("?")[0]
    if path == "/" or not miner.check_digest(method, headers.get("authorization", "")):
        return 401, challenge, b"Unauthorized"
    if not (path.startswith("/cgi-bin/") and path.endswith(".cgi")):
        return 404, {}, b"Not Found"
    parsed: dict[str, Any] | None = None
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            return 400, {}, b"Bad Request"
    reply = miner.web(path[len("/cgi-bin/") : -len(".cgi")], parsed)
    if reply is None:
        return 404, {}, b"Not Found"
    return 200, {"Content-Type": "application/json"}, json.dumps(reply).encode("utf-8")


def _http_response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
