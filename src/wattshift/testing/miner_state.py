"""State and replies of one emulated ASIC miner: what pyasic sends and what firmware answers.

Two firmwares are emulated, each exactly as far as pyasic 0.79 talks to it:

- ``"luxos"`` (Luxor firmware): the CGMiner-style JSON RPC on TCP port 4028 only. pyasic identifies it
  by ``version`` (``"LUXminer"`` in the reply, ``VERSION[0].Type`` the model), reads ``summary``,
  ``stats``, ``power``, ``config``, ``profiles``, ``fans``, ``pools`` (often several joined with
  ``+``), logs on with ``session``/``logon`` and then sends ``curtail`` with ``SESSION,sleep`` or
  ``SESSION,wakeup`` (stop/resume mining) and ``profileset`` with ``SESSION,PROFILE`` (power target:
  pyasic picks the highest profile whose watts are at most the target, after reading ``atm``).
- ``"antminer"`` (Bitmain stock firmware): the same RPC on port 4028 (``version``, ``summary``,
  ``stats``, ``pools``) plus the web API on port 80: ``GET /`` answers 401 with realm ``antMiner``
  (identification), and ``/cgi-bin/<command>.cgi`` behind HTTP digest auth (``get_system_info``,
  ``get_miner_conf``, ``set_miner_conf`` with ``miner-mode`` 1 = sleep / 0 = normal, ``stats``,
  ``summary``, ``get_blink_status``, ``get_network_info``).

The network side (servers on loopback) is :mod:`wattshift.testing.miners`.

Power model (an assumption, stated): a mining machine draws its profile's watts and hashes at the
profile's rate; a sleeping one draws ``sleep_power_w`` (control board and fans, 15 W by default) and
hashes nothing. Profiles scale hashrate in proportion to power.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass, field
from typing import Any, Literal

Firmware = Literal["luxos", "antminer"]
REALM = "antMiner Configuration"
#: Longest a "hang" fault holds a connection open without answering [s] (bounded: servers stop).
HANG_S = 30.0


@dataclass
class Faults:
    """Faults a test scripts into one emulated miner (changeable while the farm runs).

    Attributes
    ----------
    refuse
        Every connection is refused (ports closed): "unreachable" to the client.
    hang
        Connections are accepted and never answered (a timeout to the client), up to :data:`HANG_S`.
    fail_times
        The next ``fail_times`` control commands are answered with an error (transient faults).
    reject_control
        Every control command is answered with an error ("access denied").
    ignore_control
        Control commands are acknowledged as done but change nothing (firmware that lies).
    model
        Report this model instead of the real one ("wrong model").
    """

    refuse: bool = False
    hang: bool = False
    fail_times: int = 0
    reject_control: bool = False
    ignore_control: bool = False
    model: str | None = None


@dataclass
class EmulatedMiner:
    """State of one emulated machine (``power_w`` [W], ``hashrate_ths`` [TH/s] at full profile)."""

    ip: str
    firmware: Firmware = "luxos"
    model: str = "Antminer S19j Pro"
    hashrate_ths: float = 104.0
    power_w: float = 3068.0
    sleep_power_w: float = 15.0
    password: str = "root"
    mining: bool = True
    profile: str = "default"
    faults: Faults = field(default_factory=Faults)
    control_log: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)

    # -- physical state ----------------------------------------------------------------------------

    def profiles(self) -> list[tuple[str, float, float]]:
        """(name, watts [W], hashrate [TH/s]) of the LuxOS profiles: 100, 85, 70 and 55 % power."""
        shares = (("default", 1.0), ("-1", 0.85), ("-2", 0.70), ("-3", 0.55))
        return [(name, self.power_w * s, self.hashrate_ths * s) for name, s in shares]

    def _profile(self) -> tuple[str, float, float]:
        return next(p for p in self.profiles() if p[0] == self.profile)

    @property
    def drawn_w(self) -> float:
        """Power drawn now [W]."""
        return self._profile()[1] if self.mining else self.sleep_power_w

    @property
    def rate_ths(self) -> float:
        """Hashrate now [TH/s]."""
        return self._profile()[2] if self.mining else 0.0

    @property
    def reported_model(self) -> str:
        return self.faults.model or self.model

    def control(self, name: str, apply: Any) -> str | None:
        """Run control command ``name`` (``apply()`` changes state) unless a fault says otherwise.

        Returns an error message, or None when the command is accepted.
        """
        self.control_log.append(name)
        if self.faults.reject_control:
            return "Access denied"
        if self.faults.fail_times > 0:
            self.faults.fail_times -= 1
            return "Busy, try again"
        if not self.faults.ignore_control:
            apply()
        return None

    # -- RPC (TCP 4028) ------------------------------------------------------------------------------

    def rpc(self, request: dict[str, Any]) -> dict[str, Any]:
        """The JSON reply to one RPC request (``command`` possibly ``a+b``, ``parameter``)."""
        command = str(request.get("command", ""))
        parameter = str(request.get("parameter", ""))
        if "+" in command:
            return {c: [self._rpc_one(c, parameter)] for c in command.split("+")}
        return self._rpc_one(command, parameter)

    def _status(self, ok: bool = True, msg: str = "") -> list[dict[str, Any]]:
        code = "S" if ok else "E"
        return [{"STATUS": code, "When": int(time.time()), "Code": 0 if ok else 45, "Msg": msg}]

    def _rpc_one(self, command: str, parameter: str) -> dict[str, Any]:
        handler = getattr(self, f"_rpc_{command}", None)
        if handler is None:
            return {"STATUS": self._status(False, f"Invalid command {command}"), "id": 1}
        reply: dict[str, Any] = handler(parameter)
        reply.setdefault("STATUS", self._status())
        reply["id"] = 1
        return reply

    def _rpc_version(self, _: str) -> dict[str, Any]:
        fw = {"LUXminer": "2024.10.15.1"} if self.firmware == "luxos" else {"BMMiner": "1.0.0"}
        return {"VERSION": [{**fw, "API": "3.7", "Type": self.reported_model, "CompileTime": "2024-10-15"}]}

    def _rpc_summary(self, _: str) -> dict[str, Any]:
        ghs = self.rate_ths * 1000.0
        elapsed = int(time.time() - self.started_at)
        return {"SUMMARY": [{"GHS 5s": ghs, "GHS av": ghs, "Elapsed": elapsed, "Accepted": 100}]}

    def _rpc_stats(self, _: str) -> dict[str, Any]:
        ghs = self.rate_ths * 1000.0
        board = {"Elapsed": int(time.time() - self.started_at), "total_rateideal": ghs, "rate_unit": "GH"}
        for n in (1, 2, 3):
            board |= {f"chain_rate{n}": ghs / 3, f"chain_acn{n}": 126}
            board |= {f"temp_chip{n}": "66-70-68-69" if self.mining else "30-31-30-31"}
            board |= {f"temp_pcb{n}": "50-55-54-51" if self.mining else "28-29-29-28"}
        return {"STATS": [{"STATS": 0, "ID": "BMM0", "Type": self.reported_model}, board]}

    def _rpc_power(self, _: str) -> dict[str, Any]:
        return {"POWER": [{"Watts": round(self.drawn_w)}]}

    def _rpc_config(self, _: str) -> dict[str, Any]:
        return {"CONFIG": [{"Profile": self.profile, "MACAddr": "02:00:00:00:00:01", "RedLed": "off"}]}

    def _rpc_profiles(self, _: str) -> dict[str, Any]:
        rows = [
            {"Profile Name": name, "Watts": round(w), "Hashrate": ths, "IsTuned": False}
            | {"Frequency": 500, "Voltage": 13.0}
            for name, w, ths in self.profiles()
        ]
        return {"PROFILES": rows}

    def _rpc_fans(self, _: str) -> dict[str, Any]:
        fans = [{"ID": i, "RPM": 4800 if self.mining else 0, "Speed": 80} for i in range(4)]
        return {"FANS": fans, "FANCTRL": [{"MinFans": 4}]}

    def _rpc_tempctrl(self, _: str) -> dict[str, Any]:
        return {"TEMPCTRL": [{"Mode": "Auto", "Target": 70, "Hot": 80, "Dangerous": 90}]}

    def _rpc_pools(self, _: str) -> dict[str, Any]:
        pool = {"POOL": 0, "URL": "stratum+tcp://pool.invalid:3333", "User": "site.worker", "GROUP": 0}
        return {"POOLS": [pool | {"Status": "Alive", "Accepted": 100, "Rejected": 0}]}

    def _rpc_groups(self, _: str) -> dict[str, Any]:
        return {"GROUPS": [{"GROUP": 0, "Name": "default", "Quota": 1}]}

    def _rpc_atm(self, _: str) -> dict[str, Any]:
        return {"ATM": [{"Enabled": False}]}

    def _rpc_devdetails(self, _: str) -> dict[str, Any]:
        return {"DEVDETAILS": [{"DEVDETAILS": 0, "Name": "chain", "ID": 0}]}

    def _rpc_session(self, _: str) -> dict[str, Any]:
        return {"SESSION": [{"SessionID": ""}]}

    def _rpc_logon(self, _: str) -> dict[str, Any]:
        return {"SESSION": [{"SessionID": "s" + self.ip.replace(".", "")}]}

    def _session_ok(self, parameter: str) -> bool:
        return parameter.split(",")[0] == "s" + self.ip.replace(".", "")

    def _rpc_curtail(self, parameter: str) -> dict[str, Any]:
        if self.firmware != "luxos" or not self._session_ok(parameter):
            return {"STATUS": self._status(False, "Invalid session")}
        action = parameter.split(",")[1] if "," in parameter else ""
        if action not in ("sleep", "wakeup"):
            return {"STATUS": self._status(False, f"unknown curtail mode {action!r}")}
        error = self.control(f"curtail {action}", lambda: setattr(self, "mining", action == "wakeup"))
        return {"STATUS": self._status(error is None, error or f"curtail {action}")}

    def _rpc_profileset(self, parameter: str) -> dict[str, Any]:
        name = parameter.split(",")[1] if "," in parameter else ""
        if self.firmware != "luxos" or not self._session_ok(parameter):
            return {"STATUS": self._status(False, "Invalid session")}
        if name not in {p[0] for p in self.profiles()}:
            return {"STATUS": self._status(False, f"unknown profile {name!r}")}
        error = self.control(f"profileset {name}", lambda: setattr(self, "profile", name))
        if error is not None:
            return {"STATUS": self._status(False, error)}
        return {"PROFILE": [{"Profile": self.profile}]}

    # -- web API (HTTP 80, antminer) -----------------------------------------------------------------

    def web(self, command: str, body: dict[str, Any] | None) -> dict[str, Any] | None:
        """The JSON reply to ``/cgi-bin/<command>.cgi`` (None: not found)."""
        if command == "get_system_info":
            return {"minertype": self.reported_model, "hostname": f"miner-{self.ip}"} | {
                "macaddr": "02:00:00:00:00:01",
                "serinum": "EMU" + self.ip.replace(".", ""),
            }
        if command == "get_miner_conf":
            pool = {"url": "stratum+tcp://pool.invalid:3333", "user": "site.worker", "pass": "x"}
            return {"pools": [pool], "bitmain-fan-ctrl": False, "bitmain-fan-pwm": "100"} | {
                "freq-level": "100",
                "bitmain-work-mode": "0" if self.mining else "1",
            }
        if command == "set_miner_conf":
            mode = int((body or {}).get("miner-mode", 0))
            name = f"set_miner_conf miner-mode={mode}"
            error = self.control(name, lambda: setattr(self, "mining", mode != 1))
            return {"stats": "error" if error else "success", "code": "M000", "msg": error or "OK!"}
        if command == "stats":
            chains = [
                {"index": i, "rate_real": self.rate_ths * 1000 / 3, "asic_num": 126, "sn": f"B{i}"}
                | {"temp_pcb": [50, 55, 54, 51], "temp_chip": [66, 70, 68, 69]}
                for i in range(3)
            ]
            return {"STATS": [{"chain": chains, "rate_5s": self.rate_ths * 1000}]}
        if command == "summary":
            return {"SUMMARY": [{"status": [{"type": "rate", "status": "s", "code": 0, "msg": ""}]}]}
        if command == "get_blink_status":
            return {"blink": False}
        if command == "get_network_info":
            return {"nettype": "DHCP", "conf_hostname": f"miner-{self.ip}", "macaddr": "02:00:00:00:00:01"}
        return None

    def check_digest(self, method: str, header: str) -> bool:
        """Whether an ``Authorization: Digest ...`` header answers our challenge (RFC 7616, MD5)."""
        if not header.startswith("Digest "):
            return False
        parts: dict[str, str] = {}
        for item in header[len("Digest ") :].split(","):
            key, _, value = item.strip().partition("=")
            parts[key] = value.strip('"')
        if parts.get("username") != "root":
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()  # digest auth mandates MD5

        ha1 = md5(f"root:{REALM}:{self.password}")
        ha2 = md5(f"{method}:{parts.get('uri', '')}")
        fields = [parts.get(k, "") for k in ("nonce", "nc", "cnonce", "qop")]
        return parts.get("response") == md5(":".join([ha1, *fields, ha2]))


def loopback_addresses(count: int, base: str = "127.42.0.0") -> list[str]:
    """``count`` loopback addresses after ``base`` (skipping .0 and .255 host bytes)."""
    start = ipaddress.IPv4Address(base)
    out: list[str] = []
    offset = 1
    while len(out) < count:
        ip = start + offset
        offset += 1
        if int(ip) & 0xFF in (0, 255):
            continue
        if not ip.is_loopback:
            raise ValueError(f"{ip} is not a loopback address")
        out.append(str(ip))
    return out
