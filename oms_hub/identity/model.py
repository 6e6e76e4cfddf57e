"""The match model: Fellegi–Sunter weights learned without labels.

Per field and level the model holds the probability of that level among true matches
(m) and among non-matches (u), and the prior share of matches. A pair's match
probability is the prior's log-odds plus the sum of log(m/u) of its levels, squashed by
the logistic function: a table lookup per field, vectorized over all pairs in numpy.

Two unsupervised estimators (``model`` in identity.yaml):

* ``fs-em`` (default): u from *random* pairs (nearly all non-matches, so u is what
  chance agreement looks like), then m and the prior by expectation-maximisation over
  the candidate pairs with u held fixed; the prior is the share of matches among *all*
  n(n-1)/2 pairs. This is the estimation Splink uses. It is robust when the candidate
  pairs are mostly matches (good blocking), where re-estimating u from them fails.
* ``recordlinkage-ecm``: recordlinkage's ECM estimator (m, u and prior all from the
  candidate pairs). recordlinkage initialises ECM only for binary features;
  ``_LevelECM`` adds a monotone start for multi-level ones. Kept for comparison: on
  FEBRL3 it scores like ``fs-em``; on data with many near-duplicate non-matches
  (households) its u absorbs them and precision drops (see benchmarks/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import polars as pl
from recordlinkage.algorithms.nb_sklearn import ECM

from oms_hub.identity.compare import TF_FIELDS

_FLOOR = 1e-6
#: Fields adjusted by term frequency and their exact level (see compare.TF_FIELDS).
TF_EXACT_LEVEL = {field: level for field, (_, level) in TF_FIELDS.items()}
#: Largest adjustment either way (natural log units).
TF_BOUND = 4.0
#: Identifier fields that are blocking keys on their own (every pair agreeing on them
#: exactly is a candidate), with their exact level: their u is counted, not sampled.
COUNTED_EXACT = {"email": 2, "phone": 2}


#: Fields whose chance agreement follows from how their values are made, not sampled:
#: a card's last four digits are uniform, so two different people's cards agree with
#: probability (sum of squared brand shares) / 10,000 (``card_u``).
DERIVED_EXACT = {"card": 2}


def _u_floor(field: str, level: int) -> float:
    """Smallest u a weight uses: ``_FLOOR``, except where u is counted or derived."""
    exact = COUNTED_EXACT.get(field, DERIVED_EXACT.get(field))
    return 1e-12 if exact == level else _FLOOR


def card_u(cards: pl.Series) -> float | None:
    """Chance that two different people's cards have one in common (brand + last four).

    ``cards``: each identity's list of card codes (``visa:4242``). Two single cards agree
    with the brands' shares squared and summed (two Visas are likelier than two
    Discovers) times 1/10,000 for the last four digits (uniform: the last digit is a
    check digit of the others); with several cards per identity, times the mean number
    of cards on each side. Random identity pairs cannot measure it (about 4e-5: 100,000
    sampled pairs see four agreements) and a floored u would overstate it at scale.
    None when no identity has a card.
    """
    held = cards.drop_nulls()
    codes = held.explode().drop_nulls()
    if codes.len() == 0:
        return None
    share = codes.str.extract(r"^([^:]+):", 1).value_counts(normalize=True)["proportion"]
    per_identity = float(held.list.len().mean() or 1.0)
    return min(1.0, float((share.to_numpy() ** 2).sum()) / 10_000 * per_identity**2)


def _with_derived_u(u: dict[str, dict[int, float]], derived: dict[str, float]) -> None:
    """Set the exact level of each ``derived`` field to its chance given both present."""
    for name, chance in derived.items():
        exact = DERIVED_EXACT[name]
        table = u.setdefault(name, {})
        present = sum(v for lvl, v in table.items() if lvl >= 0) or 1.0
        table[exact] = present * chance
        table[0] = present * (1.0 - chance)


class _LevelECM(ECM):
    """recordlinkage ECM with a monotone start for multi-level comparison features."""

    def _init_parameters_jaro(self, X_bin):
        m_parts, u_parts = [], []
        for binarizer in self._binarizers:
            classes = np.asarray(binarizer.classes_)
            present = classes >= 0
            k = int(present.sum())
            rank = np.cumsum(present) - 1  # 0..k-1 over present levels, ascending
            m = np.where(present, 4.0**rank, 0.0)
            u = np.where(present, 4.0 ** (k - 1 - rank), 0.0)
            m = m / m.sum() * 0.9 if m.sum() else m
            u = u / u.sum() * 0.9 if u.sum() else u
            m = np.where(present, m, 0.1 / max(1, (~present).sum()))
            u = np.where(present, u, 0.1 / max(1, (~present).sum()))
            if k == 0:
                m, u = np.ones_like(m), np.ones_like(u)
            m_parts.append(m / m.sum())
            u_parts.append(u / u.sum())
        feature_prob = np.vstack([np.concatenate(u_parts), np.concatenate(m_parts)])
        return np.log(np.array([0.9, 0.1])), np.log(feature_prob)


@dataclass(frozen=True)
class MatchModel:
    """Fellegi–Sunter parameters: prior match share and log(m/u) per field and level."""

    fields: tuple[str, ...]
    prior: float
    #: field -> {level: log(m/u)}
    weights: dict[str, dict[int, float]]
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]

    def log_odds(self, levels: pl.DataFrame) -> np.ndarray:
        """Posterior log-odds of a match for each row of ``levels`` (one column per field)."""
        prior = float(np.log(self.prior) - np.log1p(-self.prior))
        total = np.full(levels.height, prior)
        for name in self.fields:
            table = self.weights.get(name, {})
            if not table or name not in levels.columns:
                # a field a saved model knows but the comparison no longer makes (a
                # state from an older version): no evidence either way
                continue
            lo = min(table)
            # one slot more, weighing 0: where a level is unknown to the model
            lookup = np.zeros(max(table) - lo + 2)
            for level, weight in table.items():
                lookup[level - lo] = weight
            slot = levels[name].to_numpy().astype(np.intp) - lo
            slot[(slot < 0) | (slot >= len(lookup) - 1)] = len(lookup) - 1
            total += lookup[slot]
            if name in TF_EXACT_LEVEL:
                total += self._tf_adjustment(levels, name)
        return total

    def _tf_adjustment(self, levels: pl.DataFrame, name: str) -> np.ndarray:
        """log(u_exact / share of the agreeing value), bounded: rare values count more."""
        column = f"tf_{name}"
        if column not in levels.columns or name not in TF_EXACT_LEVEL:
            return np.zeros(levels.height)
        u_exact = self.u.get(name, {}).get(TF_EXACT_LEVEL[name])
        if not u_exact:
            return np.zeros(levels.height)
        # only where the field shows that agreement: equal postal codes on two
        # matching streets (address level 3-4) are not weighed as a postal code alone
        at_level = levels[name] == TF_EXACT_LEVEL[name]
        tf = (
            levels.select(pl.when(at_level).then(pl.col(column)).fill_null(u_exact))
            .to_series()
            .to_numpy()
            .astype(np.float64)
        )
        return np.clip(np.log(u_exact) - np.log(np.maximum(tf, 1e-12)), -TF_BOUND, TF_BOUND)

    def probability(self, levels: pl.DataFrame) -> np.ndarray:
        """Match probability of each pair."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.log_odds(levels), -700, 700)))

    def to_json(self) -> str:
        """Serialized parameters (saved with the identity state; human-readable)."""
        return json.dumps(
            {
                "fields": list(self.fields),
                "prior": self.prior,
                "m": {f: {str(k): v for k, v in t.items()} for f, t in self.m.items()},
                "u": {f: {str(k): v for k, v in t.items()} for f, t in self.u.items()},
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        """Inverse of ``to_json``."""
        raw = json.loads(text)
        m = {f: {int(k): float(v) for k, v in t.items()} for f, t in raw["m"].items()}
        u = {f: {int(k): float(v) for k, v in t.items()} for f, t in raw["u"].items()}
        return cls._build(tuple(raw["fields"]), float(raw["prior"]), m, u)

    @classmethod
    def _build(cls, fields, prior, m, u) -> MatchModel:
        # Weights are conditional on the field being present on both sides and a missing
        # value is neutral: candidate pairs hold emails and phones far more often than
        # random pairs (blocking finds them through those), and that enrichment must not
        # turn "both have an email and it differs" into evidence of a match.
        weights = {}
        for f in fields:
            pm = sum(max(v, _FLOOR) for lvl, v in m[f].items() if lvl >= 0) or 1.0
            pu = sum(max(v, _FLOOR) for lvl, v in u[f].items() if lvl >= 0) or 1.0
            weights[f] = {
                lvl: 0.0
                if lvl < 0
                else float(
                    np.log(max(m[f][lvl], _FLOOR) / pm)
                    - np.log(max(u[f].get(lvl, _FLOOR), _u_floor(f, lvl)) / pu)
                )
                for lvl in m[f]
            }
        return cls(fields=fields, prior=prior, weights=weights, m=m, u=u)


def u_from_random_pairs(random_levels: pl.DataFrame, fields: tuple[str, ...]) -> dict:
    """u per field and level: how often each level occurs among random pairs."""
    u: dict[str, dict[int, float]] = {}
    total = max(1, random_levels.height)
    for name in fields:
        counts = random_levels[name].value_counts()
        u[name] = {
            int(v): max(c / total, _FLOOR)
            for v, c in zip(counts[name], counts["count"], strict=True)
        }
    return u


#: Fields that identify a person: a true match that has them on both sides agrees on
#: them (allowing for moves and new addresses) more often than not.
IDENTIFIERS = ("email", "phone", "address")
#: The most a fitted m may give to "different" on an identifier, as a share of "present".
MAX_DIFFERENT_SHARE = 0.5


def _cap_different(m_j: np.ndarray, levels_j: np.ndarray) -> np.ndarray:
    """Keep m("different") of an identifier at most ``MAX_DIFFERENT_SHARE`` of its present mass.

    Without it, on data where many different people share a name (the candidate pairs
    are then mostly namesakes), EM can settle on "same name" as the match class: it
    learns that matches usually differ in email, phone and address, and links namesakes
    on the name alone. The cap moves the excess to the agreeing levels.
    """
    present = levels_j >= 0
    total = m_j[present].sum()
    differ = levels_j == 0
    agree = levels_j > 0
    excess = m_j[differ].sum() - MAX_DIFFERENT_SHARE * total
    if excess <= 0 or m_j[agree].sum() <= 0:
        return m_j
    out = m_j.copy()
    out[differ] -= excess
    out[agree] *= 1 + excess / m_j[agree].sum()
    return out


#: Field whose exact agreement marks the anchor pairs m is learned from, and its level.
ANCHOR_FIELD, ANCHOR_LEVEL = "email", 2
#: Fewest anchor pairs for anchored m (below it: plain EM).
MIN_ANCHOR_PAIRS = 200


def anchored_m(
    codes: np.ndarray, counts: np.ndarray, fields: tuple[str, ...], offsets: list[int], sizes
) -> dict[int, np.ndarray] | None:
    """m per field (index -> level distribution) from the pairs sharing an exact email.

    Two identities with the same standardized email (or the same marketplace relay
    address, which stands for one buyer) are the same person
    nearly always, and which name variant, phone or address each shows does not depend
    on the email: their levels on the *other* fields are a sample of what true matches
    look like, without EM having to find the match class among namesakes (where many
    people share a name, EM can settle on "same name" as the match class). Same idea
    as Splink's training of m by EM on pairs blocked on an identifier, without
    re-estimating the blocked field. None when there are too few such pairs.
    """
    if ANCHOR_FIELD not in fields:
        return None
    a = fields.index(ANCHOR_FIELD)
    anchor = codes[:, a] == ANCHOR_LEVEL
    if counts[anchor].sum() < MIN_ANCHOR_PAIRS:
        return None
    out = {}
    for j, _name in enumerate(fields):
        if j == a:
            continue
        hist = np.bincount(
            codes[anchor, j] - offsets[j], weights=counts[anchor], minlength=sizes[j]
        )
        out[j] = np.maximum(hist / hist.sum(), _FLOOR)
    return out


#: Fewest random pairs at the exact level for the sampled u to be trusted as is.
MIN_SAMPLED_AGREEMENTS = 10


def counted_exact_u(
    levels: pl.DataFrame,
    u: dict[str, dict[int, float]],
    *,
    n_identities: int,
    skipped_pairs: dict[str, float],
) -> dict[str, float]:
    """u of exact email / phone agreement counted over all pairs, not sampled.

    100,000 random pairs cannot see an agreement rarer than ~1e-5, yet two different
    people share an email far more rarely than that; a floor there makes an exact email
    count for less the bigger the data is (the prior shrinks, the floored u does not).
    Every pair agreeing exactly on such a field is a candidate (the field is a blocking
    key), so the non-matches among them can be counted: the pairs whose given names
    clearly differ (first-name level 0, which true matches almost never show, see
    ``first_name_veto``), scaled up by how often non-matches show level 0 at all (its u),
    plus the pairs of values too common to block (``skipped_pairs``, e.g. a shop's own
    phone typed for walk-ins), plus half a pair (none seen is not zero). Returns
    field -> u of the exact level, for the fields where sampling saw fewer than
    ``MIN_SAMPLED_AGREEMENTS`` agreements.
    """
    all_pairs = max(1.0, n_identities * (n_identities - 1) / 2)
    first_differs = u.get("first", {}).get(0, 0.0)
    out: dict[str, float] = {}
    for name, exact in COUNTED_EXACT.items():
        if name not in levels.columns or "first" not in levels.columns or first_differs <= 0:
            continue
        sampled = u.get(name, {}).get(exact, 0.0)
        if sampled * 100_000 >= MIN_SAMPLED_AGREEMENTS and sampled > _FLOOR:
            continue
        differing = levels.filter((pl.col(name) == exact) & (pl.col("first") == 0)).height
        non_matches = differing / first_differs + skipped_pairs.get(name, 0.0) + 0.5
        out[name] = max(non_matches / all_pairs, 1e-12)
    return out


#: Bits per field in a packed comparison pattern: levels -1 .. 14.
_PATTERN_BITS = 4


def comparison_patterns(
    levels: pl.DataFrame, fields: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct comparison vectors of ``levels`` (int64, one column per field) and how
    many pairs show each (float64).

    Levels are small integers, so each pair's vector packs into one int64 and the group-by
    hashes one column: over ten int8 columns polars row-encoded every pair first, a
    gigabyte at eleven million pairs. Vectors that do not pack (more than 15 fields, a
    level outside -1..14) are grouped column-wise as before.
    """
    span = 1 << _PATTERN_BITS
    packable = len(fields) * _PATTERN_BITS <= 62 and all(
        levels[f].null_count() == 0
        and levels.height > 0
        and -1 <= levels[f].min() <= levels[f].max() < span - 1  # type: ignore[operator]
        for f in fields
    )
    if not packable:
        patterns = levels.group_by(fields).len()
        return (
            patterns.select(fields).to_numpy().astype(np.int64),
            patterns["len"].to_numpy().astype(np.float64),
        )
    code = pl.sum_horizontal(
        (pl.col(f).cast(pl.Int64) + 1) * (1 << (_PATTERN_BITS * j)) for j, f in enumerate(fields)
    )
    patterns = levels.select(code.alias("code")).group_by("code").len().sort("code")
    packed = patterns["code"].to_numpy()
    codes = np.stack(
        [((packed >> (_PATTERN_BITS * j)) & (span - 1)) - 1 for j in range(len(fields))], axis=1
    ).astype(np.int64)
    return codes, patterns["len"].to_numpy().astype(np.float64)


def fit_fs_em(
    levels: pl.DataFrame,
    random_levels: pl.DataFrame,
    fields: tuple[str, ...],
    *,
    n_identities: int,
    max_iter: int = 200,
    tol: float = 1e-6,
    anchor: bool = True,
    skipped_pairs: dict[str, float] | None = None,
    derived_u: dict[str, float] | None = None,
) -> MatchModel:
    """Fellegi–Sunter EM with u fixed from random pairs (see module docstring).

    ``derived_u``: for the fields of ``DERIVED_EXACT``, the chance agreement given both
    present (``card_u``), used instead of the sampled one.

    With ``anchor`` (default) and enough candidate pairs sharing an exact email, m of
    every other field is learned from those pairs (``anchored_m``) and held fixed; EM
    then estimates the prior and m of the email alone.

    Runs over the distinct comparison patterns with their counts, so its cost does not
    grow with the number of pairs.
    """
    if levels.height == 0:
        raise ValueError("no candidate pairs to fit the match model on")
    u = u_from_random_pairs(random_levels, fields)
    if skipped_pairs is not None:  # exact email/phone agreement: counted, not sampled
        counted = counted_exact_u(levels, u, n_identities=n_identities, skipped_pairs=skipped_pairs)
        for name, value in counted.items():
            u[name][COUNTED_EXACT[name]] = value
    if derived_u:
        _with_derived_u(u, {k: v for k, v in derived_u.items() if k in fields})
    codes, counts = comparison_patterns(levels, fields)
    all_pairs = max(1.0, n_identities * (n_identities - 1) / 2)
    offsets, u_tab, m_tab = [], [], []
    for j, name in enumerate(fields):
        lo, hi = int(codes[:, j].min()), int(codes[:, j].max())
        lo, hi = min(lo, min(u[name], default=lo)), max(hi, max(u[name], default=hi))
        levels_j = np.arange(lo, hi + 1)
        u_j = np.array([u[name].get(int(v), _FLOOR) for v in levels_j])
        present = levels_j >= 0
        rank = np.cumsum(present) - 1
        m_j = np.where(present, 4.0**rank, 1.0)
        offsets.append(lo)
        u_tab.append(u_j)
        m_tab.append(m_j / m_j.sum())
    idx = [codes[:, j] - offsets[j] for j in range(len(fields))]
    fixed = (
        anchored_m(codes, counts, fields, offsets, [len(t) for t in m_tab]) if anchor else None
    ) or {}
    for j, m_j in fixed.items():
        m_tab[j] = m_j
    log_bf_u = sum(np.log(u_tab[j][idx[j]]) for j in range(len(fields)))
    prior = min(0.5, counts.sum() / all_pairs)
    for _ in range(max_iter):
        log_bf = sum(np.log(m_tab[j][idx[j]]) for j in range(len(fields))) - log_bf_u
        odds = np.log(prior) - np.log1p(-prior) + log_bf
        g = 1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700)))
        w = g * counts
        if w.sum() <= 0:
            break
        new_prior = float(np.clip(w.sum() / all_pairs, _FLOOR / all_pairs, 0.5))
        new_m = []
        for j, name in enumerate(fields):
            if j in fixed:
                new_m.append(m_tab[j])
                continue
            m_j = np.bincount(idx[j], weights=w, minlength=len(m_tab[j])) / w.sum()
            if name in IDENTIFIERS:
                m_j = _cap_different(m_j, np.arange(len(m_j)) + offsets[j])
            new_m.append(np.maximum(m_j, _FLOOR))
        change = max(
            abs(new_prior - prior) / prior,
            *(np.abs(a - b).max() for a, b in zip(new_m, m_tab, strict=True)),
        )
        prior, m_tab = new_prior, new_m
        if change < tol:
            break
    m = {
        name: {int(offsets[j] + k): float(v) for k, v in enumerate(m_tab[j])}
        for j, name in enumerate(fields)
    }
    u_full = {
        name: {int(offsets[j] + k): float(v) for k, v in enumerate(u_tab[j])}
        for j, name in enumerate(fields)
    }
    return MatchModel._build(fields, prior, m, u_full)


def fit_model(
    levels: pl.DataFrame, fields: tuple[str, ...], *, sample: int, seed: int = 0
) -> MatchModel:
    """recordlinkage ECM on (a sample of) the candidate pairs (``recordlinkage-ecm``)."""
    if levels.height == 0:
        raise ValueError("no candidate pairs to fit the match model on")
    if levels.height > sample:
        rows = np.random.default_rng(seed).choice(levels.height, size=sample, replace=False)
        levels = levels[np.sort(rows)]
    x = levels.select(fields).to_numpy().astype(np.int64)
    ecm = _LevelECM(init="jaro", max_iter=200, binarize=None, atol=1e-5)
    with np.errstate(divide="ignore", invalid="ignore"):
        ecm.fit(x)
    prior_log = ecm.class_log_prior_
    probs = np.exp(ecm.feature_log_prob_)
    probs = np.nan_to_num(probs, nan=_FLOOR)
    m: dict[str, dict[int, float]] = {}
    u: dict[str, dict[int, float]] = {}
    col = 0
    for name, binarizer in zip(fields, ecm._binarizers, strict=True):
        classes = [int(c) for c in binarizer.classes_]
        width = len(classes)
        m[name] = {c: float(probs[1, col + i]) for i, c in enumerate(classes)}
        u[name] = {c: float(probs[0, col + i]) for i, c in enumerate(classes)}
        col += width
    prior = float(np.clip(np.exp(prior_log[1]), _FLOOR, 1 - _FLOOR))
    return MatchModel._build(fields, prior, m, u)
