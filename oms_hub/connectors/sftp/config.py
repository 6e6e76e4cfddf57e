"""SFTP settings, from environment variables only (secrets never live in files or code).

``OMS_HUB_EDI_SFTP_HOST`` switches the connector on; without it the EDI fetch and send
assets do nothing and say so. The private key is a file path (``..._KEY_FILE``) with an
optional passphrase (``..._KEY_PASSPHRASE``); host keys are checked against
``..._KNOWN_HOSTS`` (required: an unknown host is never trusted on first use).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "OMS_HUB_EDI_SFTP_"


class SftpConfigError(ValueError):
    """A required setting is missing or unusable; the message names the variable."""


@dataclass(frozen=True)
class SftpConfig:
    """Where and how to connect. ``repr`` never shows the passphrase."""

    host: str
    username: str
    key_file: Path
    known_hosts: Path
    port: int = 22
    key_passphrase: str | None = field(default=None, repr=False)
    inbox: str = "inbox"
    outbox: str = "outbox"
    archive: str | None = "archive"  # None: delete fetched files instead of archiving
    settle_seconds: float = 2.0
    timeout_seconds: float = 15.0
    retries: int = 3

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SftpConfig | None:
        """The configured connection, or None when ``OMS_HUB_EDI_SFTP_HOST`` is unset."""
        env = dict(os.environ if env is None else env)

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(PREFIX + name, default)
            return value if value not in ("",) else default

        host = get("HOST")
        if not host:
            return None
        missing = [n for n in ("USER", "KEY_FILE", "KNOWN_HOSTS") if not get(n)]
        if missing:
            raise SftpConfigError(
                "SFTP is configured (OMS_HUB_EDI_SFTP_HOST) but "
                + ", ".join(PREFIX + n for n in missing)
                + " is not set"
            )
        port_text = get("PORT", "22") or "22"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SftpConfigError(f"{PREFIX}PORT must be a TCP port number, got {port_text!r}")
        after = (get("AFTER_FETCH", "archive") or "archive").lower()
        if after not in ("archive", "delete"):
            raise SftpConfigError(f"{PREFIX}AFTER_FETCH must be 'archive' or 'delete'")
        known_hosts = Path(get("KNOWN_HOSTS") or "")
        if not known_hosts.is_file():
            raise SftpConfigError(f"{PREFIX}KNOWN_HOSTS: no file at {known_hosts}")
        key_file = Path(get("KEY_FILE") or "")
        if not key_file.is_file():
            raise SftpConfigError(f"{PREFIX}KEY_FILE: no file at {key_file}")
        try:
            settle = float(get("SETTLE_SECONDS", "2") or "2")
        except ValueError:
            raise SftpConfigError(f"{PREFIX}SETTLE_SECONDS must be a number") from None
        return cls(
            host=host,
            port=int(port_text),
            username=get("USER") or "",
            key_file=key_file,
            key_passphrase=get("KEY_PASSPHRASE"),
            known_hosts=known_hosts,
            inbox=get("INBOX", "inbox") or "inbox",
            outbox=get("OUTBOX", "outbox") or "outbox",
            archive=None if after == "delete" else (get("ARCHIVE", "archive") or "archive"),
            settle_seconds=settle,
        )
