"""Identity-resolution settings: thresholds and blocking keys, validated on load.

The defaults live in ``identity.yaml`` beside this module; a deployment may point
``OMS_HUB_IDENTITY_CONFIG`` at its own copy. A bad value is a clear one-line error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from oms_hub.identity.blocking import BlockingKey

_DEFAULT = Path(__file__).with_name("identity.yaml")
MODELS = ("fs-em", "recordlinkage-ecm")


class IdentityConfigError(ValueError):
    """The identity configuration is not usable (names the key and the value)."""


@dataclass(frozen=True)
class IdentityConfig:
    """What decides a match; see identity.yaml for the meaning of each field."""

    match_threshold: float = 0.95
    guard_thresholds: tuple[float, ...] = (0.99, 0.999, 0.9999)
    cannot_link_below: float = 1e-5
    max_cluster_size: int = 100
    max_block_size: int = 200
    training_pairs: int = 400_000
    random_pairs: int = 100_000
    model: str = "fs-em"
    first_name_veto: bool = True
    m_from_email_pairs: bool = True
    count_exact_u: bool = True
    default_country: str = "US"
    blocking_keys: tuple[BlockingKey, ...] = field(default_factory=tuple)

    def with_(self, **changes: Any) -> IdentityConfig:
        """A copy with some fields changed (validated)."""
        return _validated(replace(self, **changes))


def _validated(config: IdentityConfig) -> IdentityConfig:
    def prob(name: str, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = " (YAML reads 1e-5 as text: write 1.0e-5)" if isinstance(value, str) else ""
            raise IdentityConfigError(f"{name} must be a number, got {value!r}{hint}")
        if not 0.0 < float(value) < 1.0:
            raise IdentityConfigError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")

    prob("match_threshold", config.match_threshold)
    for t in config.guard_thresholds:
        prob("guard_thresholds", t)
        if t <= config.match_threshold:
            raise IdentityConfigError(
                f"guard_thresholds must be above match_threshold ({config.match_threshold}), got {t}"
            )
    prob("cannot_link_below", config.cannot_link_below)
    if config.cannot_link_below >= config.match_threshold:
        raise IdentityConfigError(
            f"cannot_link_below must be below match_threshold ({config.match_threshold}), "
            f"got {config.cannot_link_below}"
        )
    if config.model not in MODELS:
        raise IdentityConfigError(f"model must be one of {', '.join(MODELS)}, got {config.model!r}")
    for name in ("max_cluster_size", "max_block_size", "training_pairs", "random_pairs"):
        if int(getattr(config, name)) < 2:
            raise IdentityConfigError(f"{name} must be at least 2, got {getattr(config, name)!r}")
    for name in ("first_name_veto", "m_from_email_pairs", "count_exact_u"):
        if not isinstance(getattr(config, name), bool):
            raise IdentityConfigError(
                f"{name} must be true or false, got {getattr(config, name)!r}"
            )
    if len(config.default_country) != 2:
        raise IdentityConfigError(
            f"default_country must be an ISO 3166 alpha-2 code, got {config.default_country!r}"
        )
    if not config.blocking_keys:
        raise IdentityConfigError("blocking_keys must list at least one key")
    try:
        keys = tuple(BlockingKey.parse(k) for k in config.blocking_keys)
    except ValueError as error:
        raise IdentityConfigError(f"blocking_keys: {error}") from None
    return replace(config, blocking_keys=keys) if keys != config.blocking_keys else config


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise IdentityConfigError(f"cannot read identity config {path}: {error}") from None
    if not isinstance(raw, dict):
        raise IdentityConfigError(f"identity config {path} must be a mapping")
    unknown = sorted(set(raw) - set(IdentityConfig.__dataclass_fields__))
    if unknown:
        raise IdentityConfigError(f"unknown identity config keys in {path}: {', '.join(unknown)}")
    return raw


def load_config(path: str | Path | None = None) -> IdentityConfig:
    """Read the YAML settings (``path``, else $OMS_HUB_IDENTITY_CONFIG, else the default).

    A deployment's file overrides the shipped ``identity.yaml`` key by key: a file that
    only says ``match_threshold: 0.8`` keeps every shipped blocking key (a list given is
    taken whole, not merged), instead of resolving with none.
    """
    chosen = Path(path or os.environ.get("OMS_HUB_IDENTITY_CONFIG") or _DEFAULT)
    values: dict[str, Any] = _read_yaml(_DEFAULT)
    if chosen.resolve() != _DEFAULT.resolve():
        values.update(_read_yaml(chosen))
    for name in ("guard_thresholds", "blocking_keys"):
        if name in values:
            values[name] = tuple(values[name])
    try:
        return _validated(IdentityConfig(**values))
    except (TypeError, ValueError) as error:
        if isinstance(error, IdentityConfigError):
            raise
        raise IdentityConfigError(f"bad identity config {chosen}: {error}") from None
