"""Miner addresses: one IP, a CIDR block or a dash range, expanded to a list (pure).

A range over :data:`MAX_ADDRESSES` (65,536, a /16) is refused: a site inventory that large is a
typo, and scanning it would take hours.
"""

from __future__ import annotations

import ipaddress

from wattshift.errors import ConfigError

#: Largest number of addresses one inventory entry may expand to (a /16).
MAX_ADDRESSES = 65_536


def _range(text: str, where: str) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    first_text, _, last_text = text.partition("-")
    first = ipaddress.IPv4Address(first_text.strip())
    last_text = last_text.strip()
    if "." not in last_text:  # short form 10.0.0.10-60
        last_text = first_text.strip().rsplit(".", 1)[0] + "." + last_text
    last = ipaddress.IPv4Address(last_text)
    if last < first:
        raise ConfigError(f"{where}: range {text!r} ends before it starts")
    return first, last


def expand_addresses(spec: str, *, where: str = "ips") -> list[str]:
    """The addresses ``spec`` names, in order.

    Parameters
    ----------
    spec
        ``"10.0.0.5"``, ``"10.0.0.0/24"`` (usable hosts: network and broadcast excluded for prefixes
        shorter than /31), ``"10.0.0.10-10.0.0.60"`` or ``"10.0.0.10-60"`` (inclusive).
    where
        Field path for error messages (e.g. ``inventory.toml: miners[2].ips``).

    Raises
    ------
    ConfigError
        Not an IPv4 address/block/range, a range that ends before it starts, or more than
        :data:`MAX_ADDRESSES` addresses.
    """
    text = spec.strip()
    try:
        if "/" in text:
            net = ipaddress.IPv4Network(text, strict=False)
            if net.num_addresses > MAX_ADDRESSES:
                raise ConfigError(
                    f"{where}: {text!r} has {net.num_addresses:,} addresses, more than the "
                    f"{MAX_ADDRESSES:,} allowed per entry (a /16); split it"
                )
            hosts = net.hosts() if net.prefixlen < 31 else iter(net)
            return [str(ip) for ip in hosts]
        if "-" in text:
            first, last = _range(text, where)
            count = int(last) - int(first) + 1
            if count > MAX_ADDRESSES:
                raise ConfigError(
                    f"{where}: {text!r} has {count:,} addresses, more than the {MAX_ADDRESSES:,} "
                    "allowed per entry (a /16); split it"
                )
            return [str(ipaddress.IPv4Address(int(first) + i)) for i in range(count)]
        return [str(ipaddress.IPv4Address(text))]
    except ValueError as exc:
        raise ConfigError(f"{where}: {text!r} is not an IPv4 address, CIDR block or range ({exc})") from None
