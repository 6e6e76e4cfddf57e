"""Connector settings from environment variables (never from files, never logged).

A connector whose required variables are unset is *not configured*: its fetch asset
does nothing and says so. Values are kept out of ``repr`` so a settings object printed
in a traceback or a log cannot leak a token.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


class SettingsError(ValueError):
    """A variable is set but unusable; the message names the variable, not its value."""


def env(name: str) -> str | None:
    """The variable's value, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_int(name: str, default: int) -> int:
    """An integer variable with a default."""
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None


def secret(value: str) -> str:
    """Mark a secret field (a dataclass field kept out of repr)."""
    return field(default=value, repr=False)  # type: ignore[return-value]


@dataclass(frozen=True)
class SyncWindow:
    """Shared incremental settings: lookback and where the first sync starts."""

    lookback: timedelta
    initial_since: datetime

    @classmethod
    def from_env(cls, prefix: str) -> SyncWindow:
        """``<PREFIX>_LOOKBACK_MINUTES`` (15) and ``<PREFIX>_START`` (ISO; 30 days ago)."""
        start = env(f"{prefix}_START")
        try:
            since = (
                datetime.fromisoformat(start).astimezone(UTC)
                if start
                else datetime.now(UTC) - timedelta(days=30)
            )
        except ValueError:
            raise SettingsError(f"{prefix}_START must be an ISO date-time") from None
        return cls(timedelta(minutes=env_int(f"{prefix}_LOOKBACK_MINUTES", 15)), since)
