"""Talking to machines, only through pyasic: identify, read, command, each with timeout and retries.

Every call to a machine is wrapped in :func:`with_retry`: a timeout, a refused or reset connection,
a firmware error or a command answered ``False`` counts as a failed attempt; after attempt ``k``
(0-based) the caller waits ``backoff_s * 2**k`` seconds, up to ``attempts`` tries. The last error is
returned, never raised, so one bad machine never stops a fleet.

pyasic's own calls use long default timeouts (100 s on the RPC socket), hence the outer timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from wattshift.fleet.model import MinerEntry, MinerReading, RetryPolicy

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def describe(exc: BaseException, timeout_s: float) -> str:
    """A short reason for a failed attempt."""
    if isinstance(exc, TimeoutError):
        return f"timeout after {timeout_s:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionError | OSError):
        return f"unreachable ({type(exc).__name__}: {exc})"
    return f"{type(exc).__name__}: {exc}"


async def with_retry(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
    *,
    failed: Callable[[T], str | None] = lambda _: None,
) -> tuple[T | None, int, str | None]:
    """Run ``call`` with timeout and backoff; returns (result, attempts, error or None).

    ``failed(result)`` returns a reason when a returned value means failure (e.g. ``False``).
    """
    error: str | None = None
    for attempt in range(policy.attempts):
        try:
            result = await asyncio.wait_for(call(), timeout=policy.timeout_s)
        except Exception as exc:  # any firmware or network failure is one failed attempt
            error = describe(exc, policy.timeout_s)
        else:
            error = failed(result)
            if error is None:
                return result, attempt + 1, None
        if attempt + 1 < policy.attempts:
            await sleep(policy.delay_s(attempt))
    return None, policy.attempts, error


#: Firmware names an inventory may pin, and pyasic's ``MinerTypes`` member for each.
FIRMWARES: dict[str, str] = {
    "antminer": "ANTMINER",
    "braiins": "BRAIINS_OS",
    "luxos": "LUX_OS",
    "vnish": "VNISH",
    "epic": "EPIC",
    "whatsminer": "WHATSMINER",
    "avalon": "AVALONMINER",
}


def _model_matches(expected: str, reported: str) -> bool:
    a, b = expected.upper().replace("ANTMINER ", ""), reported.upper().replace("ANTMINER ", "")
    return a.strip() == b.strip()


async def identify(
    entry: MinerEntry, policy: RetryPolicy, sleep: Sleep = asyncio.sleep
) -> tuple[Any, int, str | None]:
    """The pyasic miner object at ``entry.ip`` (credentials set), attempts, error."""
    from pyasic.miners.factory import miner_factory

    if entry.firmware is not None and entry.model is not None:
        return await _build(entry, policy, sleep)

    def none_is_failure(miner: Any) -> str | None:
        return "no miner answered (pyasic found nothing on ports 80/4028)" if miner is None else None

    miner, attempts, error = await with_retry(
        lambda: miner_factory.get_miner(entry.ip), policy, sleep, failed=none_is_failure
    )
    if miner is not None:
        _set_password(miner, entry.password)
    return miner, attempts, error


def _set_password(miner: Any, password: str | None) -> None:
    if password is None:
        return
    for api in (getattr(miner, "web", None), getattr(miner, "rpc", None)):
        if api is not None:
            api.pwd = password


async def _build(entry: MinerEntry, policy: RetryPolicy, sleep: Sleep) -> tuple[Any, int, str | None]:
    """pyasic's class for a pinned firmware and model; the model is checked by RPC ``version``."""
    from pyasic.miners.factory import MinerFactory, MinerTypes, miner_factory

    assert entry.firmware is not None and entry.model is not None
    kind = MinerTypes[FIRMWARES[entry.firmware]]
    reply, attempts, error = await with_retry(
        lambda: miner_factory.send_api_command(entry.ip, "version"),
        policy,
        sleep,
        failed=lambda r: f"no answer on the RPC port 4028 within {policy.timeout_s:g} s" if not r else None,
    )
    if reply is None:
        return None, attempts, error
    try:
        reported = str(reply["VERSION"][0]["Type"]).split(" (")[0]
    except (LookupError, TypeError):
        reported = None
    if reported is not None and not _model_matches(entry.model, reported):
        msg = f"wrong model: the inventory says {entry.model!r}, the machine reports {reported!r}"
        return None, attempts, msg
    miner = MinerFactory._select_miner_from_classes(entry.ip, entry.model.upper(), kind)
    _set_password(miner, entry.password)
    return miner, attempts, None


def _temperature(data: Any) -> float | None:
    temps = [b.temp for b in data.hashboards if b.temp is not None and b.temp > 0]
    return sum(temps) / len(temps) if temps else None


#: A machine drawing less than this share of its nominal power is asleep [unitless] (sleeping
#: machines draw their control board and fans, about 0.5 % of nominal).
ASLEEP_BELOW_FRACTION = 0.2


def _mining(
    hashrate: float | None, power: float | None, nominal: float | None, flag: bool | None
) -> bool | None:
    """Hashing: a hashrate above zero; else a draw above 20 % of nominal; else the firmware's flag."""
    if hashrate is not None:
        return hashrate > 0
    if power is not None and nominal is not None:
        return power > ASLEEP_BELOW_FRACTION * nominal
    return flag


def reading_from_data(entry: MinerEntry, miner: Any, data: Any, attempts: int) -> MinerReading:
    """A :class:`MinerReading` from pyasic's ``MinerData``.

    pyasic 0.79 returns no hashrate for LuxOS (``_get_hashrate`` returns before parsing), so the
    reported draw decides there (:func:`_mining`).
    """
    hashrate = float(data.hashrate) if data.hashrate is not None else None
    limit = float(data.wattage_limit) if data.wattage_limit else None
    power = float(data.wattage) if data.wattage is not None else None
    # nominal draw [W]: the inventory's power_w, else the active power limit, else the draw while hashing
    nominal = entry.power_w or limit
    mining = _mining(hashrate, power, nominal, data.is_mining)
    if nominal is None and mining and power is not None:
        nominal = power
    estimated = False
    if power is None and mining is not None and nominal is not None:
        power, estimated = (limit or nominal) if mining else 0.0, True
    model = str(data.model) if data.model is not None else None
    error = None
    if entry.model is not None and model is not None and not _model_matches(entry.model, model):
        error = f"wrong model: the inventory says {entry.model!r}, the machine reports {model!r}"
    return MinerReading(
        ip=entry.ip,
        fleet=entry.fleet,
        model=model,
        firmware=str(data.firmware) if data.firmware is not None else None,
        hashrate_ths=hashrate,
        power_w=power,
        power_estimated=estimated,
        power_limit_w=limit,
        nominal_w=nominal,
        mining=mining,
        temperature_c=_temperature(data),
        errors=tuple(str(e.error_message if hasattr(e, "error_message") else e) for e in data.errors),
        supports_power_limit=bool(miner.supports_presets or miner.supports_autotuning),
        attempts=attempts,
        error=error,
    )


async def read(
    entry: MinerEntry, miner: Any, policy: RetryPolicy, sleep: Sleep = asyncio.sleep, *, full: bool = True
) -> MinerReading:
    """Read one identified machine: hashrate, power, power limit (and with ``full`` temperatures, errors)."""
    from pyasic.miners.data import DataOptions

    include = [DataOptions.HASHRATE, DataOptions.WATTAGE, DataOptions.WATTAGE_LIMIT]
    if full:
        include += [DataOptions.HASHBOARDS, DataOptions.ERRORS]
    data, attempts, error = await with_retry(lambda: miner.get_data(include=include), policy, sleep)
    if data is None:
        return MinerReading(entry.ip, entry.fleet, attempts=attempts, error=error)
    return reading_from_data(entry, miner, data, attempts)


async def identify_and_read(
    entry: MinerEntry, policy: RetryPolicy, sleep: Sleep = asyncio.sleep, *, full: bool = True
) -> tuple[Any, MinerReading]:
    """Identify then read one machine; an unreachable one gives a reading with ``error`` set."""
    miner, attempts, error = await identify(entry, policy, sleep)
    if miner is None:
        return None, MinerReading(entry.ip, entry.fleet, attempts=attempts, error=error)
    return miner, await read(entry, miner, policy, sleep, full=full)


def _false_is_refusal(result: Any) -> str | None:
    return "the miner refused the command" if result is False else None


async def command(
    miner: Any,
    name: str,
    target_w: float,
    was_mining: bool,
    policy: RetryPolicy,
    sleep: Sleep = asyncio.sleep,
) -> tuple[int, str | None, float]:
    """Send one command (``sleep``, ``wake`` or ``power_limit``); returns (attempts, error, seconds)."""
    start = time.perf_counter()
    if name == "sleep":
        _, attempts, error = await with_retry(miner.stop_mining, policy, sleep, failed=_false_is_refusal)
    elif name == "wake":
        _, attempts, error = await with_retry(miner.resume_mining, policy, sleep, failed=_false_is_refusal)
    else:
        _, attempts, error = await with_retry(
            lambda: miner.set_power_limit(round(target_w)), policy, sleep, failed=_false_is_refusal
        )
        if error is None and not was_mining:
            _, more, error = await with_retry(miner.resume_mining, policy, sleep, failed=_false_is_refusal)
            attempts += more
    return attempts, error, time.perf_counter() - start
