"""One project, loaded once from its root: everything a command or a notebook works from.

    evidence.toml          the book's title, the article checked, ClaimReview's publisher, where the article and the
                           published site live, and the Entrez date the searches are frozen at (``snapshot_date``)
    rules/*.csv            the article's own rule tables: outcome scales (family, direction of benefit, minimal
                           important difference), comparators, time windows (``evidence.rules.article``)
    claims.csv             one row per checkable claim
    data/*.csv             the register (studies, evidence, overrides), the numbers and positions (effects, published
                           pools, members, risk of bias, authorities, trials), our texts (wording, article review)
                           and the studies' bibliographic details (citations)
    notebooks/groups.csv   the claim groups: each group's notebook number, title and introduction

``load_project(root)`` reads and checks them all, in that order, and stops at the first problem with a DataError
naming the file, line and column. Every file is required (``evidence init`` writes each with its header), because a
file that went missing would otherwise change verdicts without a word. Nothing is judged here.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..files import control_character, read_rows
from ..rules.article import ArticleRules, load_article_rules
from ..vocab import URL_PATTERN
from .citations import CITATION_COLUMNS, Citation, load_citations
from .claims import GROUP_PATTERN, Claim, get_claim, load_claims
from .effects import EffectData, Trial, load_effect_data, required_file
from .studies import (EVIDENCE_COLUMNS, OVERRIDE_COLUMNS, STUDY_COLUMNS, EvidenceRow, Override, Study, load_evidence,
                      load_overrides, load_studies)
from .ratings import RATING_COLUMNS, Rating, load_ratings
from .texts import REVIEW_COLUMNS, WORDING_COLUMNS, ReviewRating, load_article_review, load_wording

__all__ = [
    "CONFIG_KEYS",
    "DEFAULT_PUBLISHER",
    "GROUP_COLUMNS",
    "Group",
    "Project",
    "ProjectConfig",
    "Register",
    "check_trial_links",
    "load_config",
    "load_groups",
    "load_project",
    "load_register",
]

DEFAULT_PUBLISHER = "the evidence project"
CONFIG_KEYS = ("title", "article", "publisher", "article_url", "site_url", "snapshot_date")
GROUP_COLUMNS = ("group", "title", "intro")


@dataclass(frozen=True)
class ProjectConfig:
    """``evidence.toml``: how the project describes itself, and the date its searches are frozen at."""

    title: str
    snapshot_date: dt.date
    article: str = ""
    publisher: str = DEFAULT_PUBLISHER
    article_url: str = ""
    site_url: str = ""

    @property
    def entrez_date(self) -> str:
        """The snapshot date as E-utilities writes dates (YYYY/MM/DD)."""
        return self.snapshot_date.strftime("%Y/%m/%d")


@dataclass(frozen=True)
class Register:
    claims: tuple[Claim, ...]
    studies: dict[str, Study]
    evidence: tuple[EvidenceRow, ...]
    overrides: dict[str, Override] = field(default_factory=dict)
    effect_data: EffectData = field(default_factory=EffectData)

    def for_claim(self, claim_id: str) -> list[tuple[EvidenceRow, Study]]:
        return [(row, self.studies[row.study_id]) for row in self.evidence if row.claim_id == claim_id]

    def claim(self, claim_id: str) -> Claim:
        return get_claim(list(self.claims), claim_id)


@dataclass(frozen=True)
class Group:
    """A group of claims and its notebook: number (its place in groups.csv), name, title and introduction."""

    number: int
    group: str
    title: str
    intro: str

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.group}"


@dataclass(frozen=True)
class Project:
    root: Path
    config: ProjectConfig
    rules: ArticleRules
    register: Register
    groups: tuple[Group, ...]
    wording: dict[str, str]
    review: tuple[ReviewRating, ...]
    ratings: tuple[Rating, ...] = ()  # the blind dual review of the verdicts (data/ratings.csv)
    citations: dict[str, Citation] = field(default_factory=dict)  # study id -> its bibliographic details

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.register.claims

    def claim(self, claim_id: str) -> Claim:
        return self.register.claim(claim_id)


def load_config(root: Path) -> ProjectConfig:
    """evidence.toml under ``root``, checked: every key known, addresses well formed, a snapshot date."""
    path = root / "evidence.toml"
    if not path.is_file():
        raise DataError("the file is missing.", file="evidence.toml",
                        fix='create it with at least title = "..." and snapshot_date = "YYYY-MM-DD" (the Entrez date '
                            'the searches are frozen at), or start the project with `evidence init`.')
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 ({exc.reason} at byte {exc.start}).", file="evidence.toml",
                        fix="save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc}).", file="evidence.toml",
                        fix='write each setting as `name = "value"`.') from None
    unknown = sorted(set(values) - set(CONFIG_KEYS))
    if unknown:
        raise DataError(f"unknown setting {unknown[0]!r}.", file="evidence.toml", column=unknown[0],
                        fix=f"use only {', '.join(CONFIG_KEYS)}.")
    text = {k: str(values.get(k) or "").strip() for k in CONFIG_KEYS}
    for key, value in text.items():
        if (character := control_character(value)) is not None:
            raise DataError(f"{key} holds a control character ({character}).", file="evidence.toml", column=key,
                            fix="remove it: a title or an address holds none.")
    for name in ("article_url", "site_url"):
        if text[name] and not URL_PATTERN.match(text[name]):
            raise DataError(f"{name} {text[name]!r} is not an http(s) address.", file="evidence.toml", column=name,
                            fix="give the full address, or leave it empty.")
    if text["site_url"] and not text["site_url"].endswith("/"):
        text["site_url"] += "/"
    raw_date = values.get("snapshot_date")
    if isinstance(raw_date, dt.date) and not isinstance(raw_date, dt.datetime):
        snapshot = raw_date
    else:
        try:
            snapshot = dt.date.fromisoformat(text["snapshot_date"])
        except ValueError:
            raise DataError(f"snapshot_date {text['snapshot_date']!r} is not a date.", file="evidence.toml",
                            column="snapshot_date",
                            fix='write the Entrez date the searches are frozen at as "YYYY-MM-DD".') from None
    return ProjectConfig(title=text["title"] or root.name, snapshot_date=snapshot, article=text["article"],
                         publisher=text["publisher"] or DEFAULT_PUBLISHER, article_url=text["article_url"],
                         site_url=text["site_url"])


def load_groups(root: Path, claims: Sequence[Claim]) -> tuple[Group, ...]:
    """notebooks/groups.csv: each group once, a slug, with a title; every claim's group among them, and no group
    without a claim. The order of the rows numbers the notebooks."""
    display = "notebooks/groups.csv"
    path = required_file(root / "notebooks" / "groups.csv", GROUP_COLUMNS)
    groups: list[Group] = []
    for line, row in read_rows(path, GROUP_COLUMNS, display=display):
        where = {"file": display, "line": line}
        if not GROUP_PATTERN.match(row["group"]):
            raise DataError(f"group {row['group']!r} is not a slug (lower-case letters, digits and single hyphens).",
                            column="group", **where)
        if any(g.group == row["group"] for g in groups):
            raise DataError(f"group {row['group']!r} is listed twice.", column="group", **where)
        if not row["title"]:
            raise DataError("title is empty.", column="title", **where, fix="give the group's notebook a title.")
        groups.append(Group(len(groups) + 1, row["group"], row["title"], row["intro"]))
    names = [g.group for g in groups]
    for claim in claims:
        if claim.group not in names:
            raise DataError(f"group {claim.group!r} is not in notebooks/groups.csv.", file="claims.csv",
                            line=claim.line, column="group",
                            fix=f"use one of {', '.join(names) or '(none yet)'}, or add a row to notebooks/groups.csv.")
    used = {c.group for c in claims}
    empty = [g for g in groups if g.group not in used]
    if empty:
        raise DataError(f"group {empty[0].group!r} has no claim in claims.csv.", file=display, column="group",
                        fix=f"use one of {', '.join(sorted(used))}, or remove the row.")
    return tuple(groups)


def load_register(root: Path, rules: ArticleRules | None = None) -> Register:
    """claims.csv and the files of data/ under ``root``, validated together against the article's ``rules``
    (default: the project's rules/ folder)."""
    rules = rules or load_article_rules(root / "rules")
    claims = load_claims(root / "claims.csv", rules)
    studies = load_studies(required_file(root / "data" / "studies.csv", STUDY_COLUMNS))
    evidence = load_evidence(required_file(root / "data" / "evidence.csv", EVIDENCE_COLUMNS), claims, studies)
    # A claim without evidence rows is allowed (a new project's claims start so); its verdict says nothing is
    # registered yet, and `evidence register --summary` lists it.
    unused = sorted(set(studies) - {row.study_id for row in evidence})
    if unused:
        first = studies[unused[0]]
        raise DataError(f"{len(unused)} study(ies) back no claim, e.g. {unused[0]}.", file="data/studies.csv",
                        line=first.line, column="study_id", fix="add an evidence row for it, or remove it.")
    overrides = load_overrides(required_file(root / "data" / "verdict_overrides.csv", OVERRIDE_COLUMNS),
                               {c.claim_id for c in claims})
    effect_data = load_effect_data(root, studies, claims, rules)
    check_trial_links(studies, effect_data.trials)
    return Register(claims=tuple(claims), studies=studies, evidence=evidence, overrides=overrides,
                    effect_data=effect_data)


def check_trial_links(studies: dict[str, Study], trials: Sequence[Trial]) -> None:
    """data/studies.csv ``trial_id`` and data/trials.csv ``study_ids`` agree where both speak: a study a registered
    trial lists as its report carries that trial's id (or none), and a study naming a listed trial is among the
    reports that trial lists when it lists any."""
    for trial in trials:
        for study_id in trial.study_ids:
            named = studies[study_id].trial_id
            if named and named != trial.nct_id:
                raise DataError(f"{study_id} names trial {named}, but data/trials.csv line {trial.line} lists it as a "
                                f"report of {trial.nct_id}.", file="data/studies.csv", line=studies[study_id].line,
                                column="trial_id", fix="correct one of the two so that they name the same trial.")
    listed = {t.nct_id: t for t in trials}
    for study in studies.values():
        trial = listed.get(study.trial_id)
        if trial is not None and trial.study_ids and study.study_id not in trial.study_ids:
            raise DataError(f"{study.study_id} names trial {study.trial_id}, whose row in data/trials.csv (line "
                            f"{trial.line}) lists other reports ({' '.join(trial.study_ids)}).",
                            file="data/studies.csv", line=study.line, column="trial_id",
                            fix="add the study to that trial's study_ids, or correct its trial_id.")



def load_project(root: Path) -> Project:
    """The project under ``root``, every file read and checked once."""
    root = Path(root)
    config = load_config(root)
    rules = load_article_rules(root / "rules")
    register = load_register(root, rules)
    claim_ids = {c.claim_id for c in register.claims}
    groups = load_groups(root, register.claims)
    wording = load_wording(required_file(root / "data" / "wording.csv", WORDING_COLUMNS), claim_ids)
    review = load_article_review(required_file(root / "data" / "article_review.csv", REVIEW_COLUMNS))
    citations = load_citations(required_file(root / "data" / "citations.csv", CITATION_COLUMNS), register.studies)
    ratings = load_ratings(required_file(root / "data" / "ratings.csv", RATING_COLUMNS),
                           [c.claim_id for c in register.claims])
    return Project(root=root, config=config, rules=rules, register=register, groups=groups, wording=wording,
                   review=review, citations=citations, ratings=ratings)
