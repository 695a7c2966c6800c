"""Reading a TOML configuration file with one clear error per problem (missing, directory, encoding)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from wattshift.errors import ConfigError


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The parsed TOML document at ``path``; ``what`` names the file's kind in messages ("site").

    Raises
    ------
    ConfigError
        The file is missing, a directory, unreadable, not UTF-8 or not valid TOML (names the file).
    """
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a {what} TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: {what} file not readable (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); a {what} file is UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
