"""The numbers behind the effect claims, and what the authorities conclude.

    data/effects.csv           outcome numbers of controlled comparisons, exactly as printed (blank when not)
    data/published_pools.csv   pooled estimates printed by published meta-analyses
    data/members.csv           which trials a pooled analysis or meta-analysis contains
    data/risk_of_bias.csv      what the sources say about randomization, concealment, blinding and missing data
    data/indirectness.csv      per claim and trial: is the trial direct or indirect for the claim's population,
                               intervention (drug and route), comparator and outcome, and why
    data/authorities.csv       positions of guidelines, review bodies and regulators, per claim
    data/trials.csv            registered trials of the intervention for the claims, their status and their reports

Each loader checks the schema, the vocabularies, numbers and cross-references (studies, claims), and
raises a DataError naming file, line and column on the first problem. Nothing is derived here: a
standard error from a confidence interval, a pooled estimate, are computed in ``judge.synthesis``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import DataError
from ..files import project_file_label, read_rows
from ..rules.article import ArticleRules, load_article_rules
from ..vocab import REGISTRY_ID, URL_PATTERN
from .claims import Claim
from .studies import Study

__all__ = [
    "AUTHORITY_COLUMNS",
    "AUTHORITY_POSITIONS",
    "EFFECT_COLUMNS",
    "POOL_COLUMNS",
    "Authority",
    "EffectRow",
    "EffectData",
    "INDIRECTNESS_COLUMNS",
    "Indirectness",
    "PublishedPool",
    "RiskOfBias",
    "Trial",
    "TRIAL_COLUMNS",
    "load_effect_data",
]

EFFECT_COLUMNS = (
    "study_id", "claim_ids", "comparison", "outcome", "direction", "after", "hours_after", "window", "timepoint",
    "n_treat", "n_control", "value_kind", "mean_treat", "sd_treat", "mean_control", "sd_control", "se",
    "effect_type", "estimate", "convention", "ci_low", "ci_high", "ci_level", "p_value", "where", "source_url",
    "second_pass", "notes", "outcome_role", "crossover", "baseline_treat", "baseline_control",
)
POOL_COLUMNS = (
    "study_id", "claim_ids", "population", "intervention", "comparator", "outcome", "family", "measure", "window",
    "timepoint", "role", "k", "participants", "estimate", "convention", "ci_low", "ci_high", "i2", "model",
    "members", "where", "source_url", "second_pass", "notes", "flag",
)
MEMBER_COLUMNS = ("synthesis_id", "member_id", "where", "source_url")
ROB_COLUMNS = ("study_id", "sequence_generation", "allocation_concealment", "blinding", "blinding_check", "where",
               "source_url", "notes", "missing_outcome_data")
INDIRECTNESS_COLUMNS = ("claim_id", "study_id", "population", "intervention", "comparator", "outcome", "reason")
PICO = ("population", "intervention", "comparator", "outcome")
DIRECTNESS = ("direct", "indirect")
AUTHORITY_COLUMNS = ("claim_id", "body", "year", "document", "position", "strength", "summary", "where",
                     "source_url")
AUTHORITY_POSITIONS = ("for", "against", "insufficient evidence", "not addressed")
TRIAL_COLUMNS = ("nct_id", "title", "status", "enrollment", "enrollment_type", "start", "primary_completion",
                 "completion", "results_posted", "study_ids", "claim_ids", "conditions", "interventions", "sponsor",
                 "where", "source_url")
# ClinicalTrials.gov API v2 overall statuses (ANZCTR's are mapped onto them when recorded)
TRIAL_STATUSES = ("COMPLETED", "TERMINATED", "WITHDRAWN", "SUSPENDED", "UNKNOWN", "RECRUITING", "ACTIVE_NOT_RECRUITING",
                  "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DIRECTIONS = ("lower_better", "higher_better")
AFTER = ("first_dose", "last_dose", "")
# endpoint: values after treatment; change: change from baseline; adjusted: a baseline-adjusted (ANCOVA or MMRM,
# least-squares) estimate
VALUE_KINDS = ("endpoint", "change", "adjusted", "")
OUTCOME_ROLES = ("primary", "secondary", "")
# a crossover trial's row: the first period only (analysed as a parallel trial), or the paired within-person analysis
CROSSOVER = ("first-period", "paired", "")
ROB_JUDGEMENTS = ("low", "some concerns", "high", "")
EFFECT_TYPES = ("MD", "SMD", "g", "d", "RR", "OR", "RD", "median_diff", "")
CONVENTIONS = ("treat_minus_control", "improvement_positive", "")
SECOND_PASS = ("confirmed", "corrected", "unconfirmed", "")
POOL_ROLES = ("primary", "subgroup", "sensitivity", "binary", "uncontrolled", "unusable")
# Counts of people: whole numbers (``_count``); the other number columns take any finite number.
COUNT_COLUMNS = ("n_treat", "n_control")
NUMBER_COLUMNS = ("hours_after", "n_treat", "n_control", "mean_treat", "sd_treat", "mean_control", "sd_control",
                  "se", "estimate", "ci_low", "ci_high", "ci_level", "baseline_treat", "baseline_control")


@dataclass(frozen=True)
class EffectRow:
    """One study × comparison × outcome × timepoint, as printed (None where the source printed nothing)."""

    study_id: str
    claim_ids: tuple[str, ...]
    comparison: str
    outcome: str
    direction: str
    after: str
    hours_after: float | None
    window: str
    timepoint: str
    n_treat: int | None
    n_control: int | None
    value_kind: str
    mean_treat: float | None
    sd_treat: float | None
    mean_control: float | None
    sd_control: float | None
    se: float | None
    effect_type: str
    estimate: float | None
    convention: str
    ci_low: float | None
    ci_high: float | None
    ci_level: float | None
    p_value: str
    where: str
    source_url: str
    second_pass: str
    notes: str
    outcome_role: str = ""  # primary or secondary as the trial registered it; empty when the row does not say
    crossover: str = ""  # first-period or paired for a crossover trial's row
    baseline_treat: float | None = None  # the arms' baseline means, where printed
    baseline_control: float | None = None
    line: int = 0
    family: str = ""  # the outcome's family (rules/outcome_scales.csv), set by the loader

    @property
    def checked(self) -> bool:
        """Numbers a second, independent pass saw printed (only these are used in pools)."""
        return self.second_pass in ("confirmed", "corrected")


@dataclass(frozen=True)
class PublishedPool:
    study_id: str
    claim_ids: tuple[str, ...]
    population: str
    intervention: str
    comparator: str
    outcome: str
    family: str
    measure: str
    window: str
    timepoint: str
    role: str
    k: int | None
    participants: int | None
    estimate: float | None
    convention: str
    ci_low: float | None
    ci_high: float | None
    i2: str
    model: str
    members: str
    where: str
    source_url: str
    second_pass: str
    notes: str
    flag: str = ""  # why a reader should not take the pool as printed (our words); empty when nothing is wrong
    line: int = 0


@dataclass(frozen=True)
class RiskOfBias:
    study_id: str
    sequence_generation: str
    allocation_concealment: str
    blinding: str
    blinding_check: str
    where: str
    source_url: str
    notes: str
    missing_outcome_data: str = ""  # RoB 2 domain 3: low, some concerns or high; empty when not assessed
    line: int = 0


@dataclass(frozen=True)
class Indirectness:
    """How directly one trial answers one claim, element by element of the claim's PICO (GRADE indirectness)."""

    claim_id: str
    study_id: str
    population: str
    intervention: str  # the drug and its route
    comparator: str
    outcome: str
    reason: str
    line: int = 0

    @property
    def indirect(self) -> tuple[str, ...]:
        """The PICO elements judged indirect."""
        return tuple(name for name in PICO if getattr(self, name) == "indirect")


@dataclass(frozen=True)
class Authority:
    claim_id: str
    body: str
    year: int | None
    document: str
    position: str
    strength: str
    summary: str
    where: str
    source_url: str
    line: int = 0


@dataclass(frozen=True)
class Trial:
    """A registered trial (ClinicalTrials.gov, or ANZCTR where so numbered) and what became of it."""

    nct_id: str
    title: str
    status: str
    enrollment: int | None
    enrollment_type: str
    start: str
    primary_completion: str
    completion: str
    results_posted: str  # "yes", "no", or "" when the registry page did not show it
    study_ids: tuple[str, ...]
    claim_ids: tuple[str, ...]
    conditions: str
    interventions: str
    sponsor: str
    where: str
    source_url: str
    line: int = 0

    @property
    def ended(self) -> str:
        """The primary completion date, else the completion date (YYYY, YYYY-MM or YYYY-MM-DD)."""
        return self.primary_completion or self.completion

    def unreported(self, as_of: dt.date) -> bool:
        """Completed more than a year before ``as_of``, with no posted results (seen as 'no' on the registry, not
        merely not shown) and no report in the register."""
        if self.status != "COMPLETED" or not self.ended or self.results_posted != "no" or self.study_ids:
            return False
        year, month, day = (self.ended.split("-") + ["12", "28"])[:3]
        return dt.date(int(year), int(month), min(int(day), 28)) <= as_of - dt.timedelta(days=365)


@dataclass(frozen=True)
class EffectData:
    """Everything the synthesis and the authorities' column need, loaded together."""

    effects: tuple[EffectRow, ...] = ()
    pools: tuple[PublishedPool, ...] = ()
    members: Mapping[str, frozenset[str]] = None  # synthesis id -> member study ids
    risk_of_bias: Mapping[str, RiskOfBias] = None
    authorities: tuple[Authority, ...] = ()
    trials: tuple[Trial, ...] = ()
    indirectness: Mapping[tuple[str, str], Indirectness] = None  # (claim id, study id) -> judgement
    rules: ArticleRules = None  # the article's tables the rows were checked against (default: the package's)

    def __post_init__(self):
        if self.rules is None:
            object.__setattr__(self, "rules", load_article_rules(None))
        object.__setattr__(self, "members", dict(self.members or {}))
        object.__setattr__(self, "risk_of_bias", dict(self.risk_of_bias or {}))
        object.__setattr__(self, "indirectness", dict(self.indirectness or {}))

    def for_claim(self, claim_id: str) -> tuple[list[EffectRow], list[PublishedPool], list[Authority]]:
        return ([r for r in self.effects if claim_id in r.claim_ids],
                [p for p in self.pools if claim_id in p.claim_ids],
                [a for a in self.authorities if a.claim_id == claim_id])


def _number(text: str, fail: Callable[[str, str, str], DataError], column: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace("−", "-"))
    except ValueError:
        raise fail(column, f"{column} {text!r} is not a number.", "write the number as printed, or leave it blank.") \
            from None
    if not math.isfinite(value):
        raise fail(column, f"{column} {text!r} is not a finite number.", "")
    return value


def _count(text: str, fail: Callable[[str, str, str], DataError], column: str, *, least: int = 1) -> int | None:
    """A count of people or studies: a whole number of at least ``least``, or blank. A fractional count (an average,
    an imputed n) would weight a pool by people who do not exist."""
    value = _number(text, fail, column)
    if value is None:
        return None
    if value != int(value) or value < least:
        what = "whole number" if least == 0 else "positive whole number"
        raise fail(column, f"{column} {text!r} is not a {what}.", "write the count as printed (the people randomised "
                   "or analysed, a whole number); if the source prints only a fractional or averaged n, leave it "
                   "blank and say so in notes.")
    return int(value)


def _check_common(row: dict[str, str], fail, studies: Mapping[str, Study], claim_ids: set[str]) -> tuple[str, ...]:
    if row["study_id"] not in studies:
        raise fail("study_id", f"study {row['study_id']!r} is not in data/studies.csv.",
                   "add the study to the register first (data/studies.csv and data/evidence.csv).")
    ids = tuple(row["claim_ids"].split())
    if not ids:
        raise fail("claim_ids", "claim_ids is empty.", "name the claims the row bears on, separated by spaces.")
    unknown = [c for c in ids if c not in claim_ids]
    if unknown:
        raise fail("claim_ids", f"claim {unknown[0]!r} is not in claims.csv.", "use ids of claims.csv, e.g. C04.")
    for url in row["source_url"].split():
        if not URL_PATTERN.match(url):
            raise fail("source_url", f"{url!r} is not an http(s) URL.", "separate several URLs with spaces.")
    if not row["source_url"] or not row["where"]:
        column = "source_url" if not row["source_url"] else "where"
        raise fail(column, f"{column} is empty.", "every number needs the page and the place on it where it was read.")
    return ids


def _choice(row, column: str, options: Sequence[str], fail) -> str:
    if row[column] not in options:
        raise fail(column, f"{column} {row[column]!r} is not one of {', '.join(o or '(empty)' for o in options)}.", "")
    return row[column]


def _failer(name: str, line: int):
    def fail(column: str, message: str, fix: str = "") -> DataError:
        return DataError(message, file=name, line=line, column=column, fix=fix)
    return fail


def load_effects(path: Path, studies: Mapping[str, Study], claims: Sequence[Claim],
                 rules: ArticleRules | None = None) -> tuple[EffectRow, ...]:
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    rules = rules or load_article_rules(None)
    scales, windows = rules.outcome_scales, rules.time_windows
    rows = []
    for line, row in read_rows(path, EFFECT_COLUMNS, display=name):
        fail = _failer(name, line)
        ids = _check_common(row, fail, studies, claim_ids)
        if row["outcome"] not in scales:
            raise fail("outcome", f"outcome {row['outcome']!r} is not in rules/outcome_scales.csv.",
                       "add the scale there (with its family and any minimal important difference) "
                       "or use a listed one.")
        _choice(row, "direction", DIRECTIONS, fail)
        expected = scales[row["outcome"]]["direction"]
        if expected and row["direction"] != expected:
            raise fail("direction", f"direction {row['direction']!r} contradicts rules/outcome_scales.csv, where "
                                    f"{row['outcome']} is {expected}.", "correct the row or the scale's direction.")
        _choice(row, "after", AFTER, fail)
        _choice(row, "window", tuple(windows), fail)
        _choice(row, "value_kind", VALUE_KINDS, fail)
        _choice(row, "outcome_role", OUTCOME_ROLES, fail)
        _choice(row, "crossover", CROSSOVER, fail)
        if row["crossover"] and studies[row["study_id"]].design != "crossover-rct":
            raise fail("crossover", f"crossover {row['crossover']!r} on a study whose design is "
                       f"{studies[row['study_id']].design}.", "leave it empty for a parallel trial.")
        _choice(row, "effect_type", EFFECT_TYPES, fail)
        _choice(row, "convention", CONVENTIONS, fail)
        _choice(row, "second_pass", SECOND_PASS, fail)
        numbers = {c: _count(row[c], fail, c) if c in COUNT_COLUMNS else _number(row[c], fail, c)
                   for c in NUMBER_COLUMNS}
        for column in ("sd_treat", "sd_control", "se"):
            if numbers[column] is not None and numbers[column] <= 0:
                raise fail(column, f"{column} {row[column]} must be positive.", "")
        if numbers["estimate"] is not None and not row["effect_type"]:
            raise fail("effect_type", "an estimate needs its effect_type (MD, SMD, g, d, RR, OR, RD).", "")
        if numbers["estimate"] is not None and not row["convention"]:
            raise fail("convention", "an estimate needs its sign convention.",
                       "treat_minus_control, or improvement_positive when the source prints a reduction as positive.")
        low, high = numbers["ci_low"], numbers["ci_high"]
        if (low is None) != (high is None):
            raise fail("ci_high" if high is None else "ci_low", "a confidence interval needs both bounds.", "")
        if low is not None and low > high:
            raise fail("ci_low", f"ci_low {low:g} is above ci_high {high:g}.", "check the order of the bounds.")
        if low is not None and not row["ci_level"]:
            raise fail("ci_level", "a confidence interval needs its level (95, or 90 when so printed).", "")
        if (numbers["baseline_treat"] is None) != (numbers["baseline_control"] is None):
            column = "baseline_control" if numbers["baseline_control"] is None else "baseline_treat"
            raise fail(column, "baseline means come in pairs: one for each arm.", "")
        values = {**row, **numbers, "claim_ids": ids, "line": line, "family": scales[row["outcome"]]["family"]}
        rows.append(EffectRow(**{f.name: values[f.name] for f in fields(EffectRow)}))
    return tuple(rows)


def load_pools(path: Path, studies: Mapping[str, Study], claims: Sequence[Claim],
               rules: ArticleRules | None = None) -> tuple[PublishedPool, ...]:
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    rules = rules or load_article_rules(None)
    families = rules.families
    pools = []
    for line, row in read_rows(path, POOL_COLUMNS, display=name):
        fail = _failer(name, line)
        ids = _check_common(row, fail, studies, claim_ids)
        _choice(row, "family", tuple(sorted(families)), fail)
        _choice(row, "window", tuple(rules.time_windows), fail)
        _choice(row, "role", POOL_ROLES, fail)
        _choice(row, "convention", CONVENTIONS, fail)
        _choice(row, "second_pass", SECOND_PASS, fail)
        numbers = {c: _number(row[c], fail, c) for c in ("estimate", "ci_low", "ci_high")}
        numbers.update({c: _count(row[c], fail, c) for c in ("k", "participants")})
        values = {**row, **numbers, "claim_ids": ids, "line": line}
        pools.append(PublishedPool(**{f.name: values[f.name] for f in fields(PublishedPool)}))
    return tuple(pools)


def load_members(path: Path, studies: Mapping[str, Study]) -> dict[str, frozenset[str]]:
    name = project_file_label(path)
    members: dict[str, set[str]] = {}
    for line, row in read_rows(path, MEMBER_COLUMNS, display=name):
        fail = _failer(name, line)
        for column in ("synthesis_id", "member_id"):
            if row[column] not in studies:
                raise fail(column, f"study {row[column]!r} is not in data/studies.csv.", "")
        if row["synthesis_id"] == row["member_id"]:
            raise fail("member_id", "a study cannot contain itself.", "")
        if not row["source_url"] or not row["where"]:
            raise fail("source_url", "a membership needs the page that lists it.", "")
        members.setdefault(row["synthesis_id"], set()).add(row["member_id"])
    return {k: frozenset(v) for k, v in sorted(members.items())}


def load_risk_of_bias(path: Path, studies: Mapping[str, Study]) -> dict[str, RiskOfBias]:
    name = project_file_label(path)
    found: dict[str, RiskOfBias] = {}
    for line, row in read_rows(path, ROB_COLUMNS, display=name):
        fail = _failer(name, line)
        if row["study_id"] not in studies:
            raise fail("study_id", f"study {row['study_id']!r} is not in data/studies.csv.", "")
        for column in ("sequence_generation", "allocation_concealment"):
            _choice(row, column, ("described", "not described"), fail)
        _choice(row, "blinding", ("double-blind", "single-blind", "open", "not stated"), fail)
        _choice(row, "missing_outcome_data", ROB_JUDGEMENTS, fail)
        if row["study_id"] in found:
            raise fail("study_id", f"{row['study_id']} is listed twice.", "")
        found[row["study_id"]] = RiskOfBias(**row, line=line)
    return found


def load_indirectness(path: Path, studies: Mapping[str, Study], claims: Sequence[Claim]
                      ) -> dict[tuple[str, str], Indirectness]:
    """data/indirectness.csv: (claim id, study id) -> the judgement, each PICO element direct or indirect."""
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    found: dict[tuple[str, str], Indirectness] = {}
    for line, row in read_rows(path, INDIRECTNESS_COLUMNS, display=name):
        fail = _failer(name, line)
        if row["claim_id"] not in claim_ids:
            raise fail("claim_id", f"claim {row['claim_id']!r} is not in claims.csv.", "")
        if row["study_id"] not in studies:
            raise fail("study_id", f"study {row['study_id']!r} is not in data/studies.csv.", "")
        for column in PICO:
            _choice(row, column, DIRECTNESS, fail)
        if not row["reason"]:
            raise fail("reason", "reason is empty.", "say in a sentence why each element is direct or indirect, and "
                                                       "mark what you are unsure of.")
        key = (row["claim_id"], row["study_id"])
        if key in found:
            raise fail("study_id", f"{row['study_id']} is judged twice for {row['claim_id']} (first on line "
                       f"{found[key].line}).", "keep one row.")
        found[key] = Indirectness(**row, line=line)
    return found


def load_authorities(path: Path, claims: Sequence[Claim]) -> tuple[Authority, ...]:
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    rows = []
    for line, row in read_rows(path, AUTHORITY_COLUMNS, display=name):
        fail = _failer(name, line)
        if row["claim_id"] not in claim_ids:
            raise fail("claim_id", f"claim {row['claim_id']!r} is not in claims.csv.", "")
        for column in ("body", "document", "summary", "where", "source_url"):
            if not row[column]:
                raise fail(column, f"{column} is empty.", "")
        _choice(row, "position", AUTHORITY_POSITIONS, fail)
        year = None
        if row["year"]:
            if not row["year"].isdigit() or len(row["year"]) != 4:
                raise fail("year", f"year {row['year']!r} is not a four-digit year.",
                           "leave it blank when not printed.")
            year = int(row["year"])
        for url in row["source_url"].split():
            if not URL_PATTERN.match(url):
                raise fail("source_url", f"{url!r} is not an http(s) URL.", "")
        rows.append(Authority(**{**row, "year": year, "line": line}))
    return tuple(rows)


def load_trials(path: Path, studies: Mapping[str, Study], claims: Sequence[Claim]) -> tuple[Trial, ...]:
    name = project_file_label(path)
    claim_ids = {c.claim_id for c in claims}
    trials, seen = [], {}
    for line, row in read_rows(path, TRIAL_COLUMNS, display=name):
        fail = _failer(name, line)
        if not REGISTRY_ID.match(row["nct_id"]):
            raise fail("nct_id", f"{row['nct_id']!r} is not a registry number (NCT and 8 digits, or ACTRN and 14).", "")
        if row["nct_id"] in seen:
            raise fail("nct_id", f"{row['nct_id']} is listed twice (first on line {seen[row['nct_id']]}).", "")
        seen[row["nct_id"]] = line
        _choice(row, "status", TRIAL_STATUSES, fail)
        _choice(row, "results_posted", ("yes", "no", ""), fail)
        for column in ("start", "primary_completion", "completion"):
            if row[column] and not _DATE.match(row[column]):
                raise fail(column, f"{column} {row[column]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD).", "")
        linked = tuple(row["study_ids"].split())
        for study_id in linked:
            if study_id not in studies:
                raise fail("study_ids", f"study {study_id!r} is not in data/studies.csv.", "")
        ids = tuple(row["claim_ids"].split())
        if not ids or any(c not in claim_ids for c in ids):
            raise fail("claim_ids", f"claim_ids {row['claim_ids']!r} must name claims of claims.csv.", "")
        if not row["source_url"] or not row["where"]:
            raise fail("source_url", "every trial needs the page where it was read.", "")
        enrollment = _count(row["enrollment"], fail, "enrollment", least=0)  # a withdrawn trial enrolled no one
        trials.append(Trial(**{**row, "enrollment": enrollment,
                               "study_ids": linked, "claim_ids": ids, "line": line}))
    return tuple(trials)


# The files of data/ that hold the numbers and positions; each is required (a new project's start with a header
# only), because a file that went missing would silently change verdicts.
EFFECT_FILES = {
    "effects.csv": EFFECT_COLUMNS, "published_pools.csv": POOL_COLUMNS, "members.csv": MEMBER_COLUMNS,
    "risk_of_bias.csv": ROB_COLUMNS, "authorities.csv": AUTHORITY_COLUMNS, "trials.csv": TRIAL_COLUMNS,
    "indirectness.csv": INDIRECTNESS_COLUMNS,
}


def required_file(path: Path, columns: Sequence[str]) -> Path:
    """``path`` when it exists; a DataError saying how to restore or recreate it otherwise."""
    if not path.is_file():
        raise DataError("the file is missing.", file=project_file_label(path),
                        fix=f"restore it (git checkout -- {project_file_label(path)}), or create it with the header "
                            f"{','.join(columns)} if the project has none of its rows yet.")
    return path


def load_effect_data(root: Path, studies: Mapping[str, Study], claims: Sequence[Claim],
                     rules: ArticleRules | None = None) -> EffectData:
    """The files under ``root/data`` (each required), checked against the article's ``rules``."""
    rules = rules or load_article_rules(None)
    path = {name: required_file(root / "data" / name, columns) for name, columns in EFFECT_FILES.items()}
    return EffectData(
        effects=load_effects(path["effects.csv"], studies, claims, rules),
        pools=load_pools(path["published_pools.csv"], studies, claims, rules),
        members=load_members(path["members.csv"], studies),
        risk_of_bias=load_risk_of_bias(path["risk_of_bias.csv"], studies),
        authorities=load_authorities(path["authorities.csv"], claims),
        trials=load_trials(path["trials.csv"], studies, claims),
        indirectness=load_indirectness(path["indirectness.csv"], studies, claims),
        rules=rules,
    )
