"""Gather: from a claim's PubMed hits to screened, included studies, and a living update.

    candidates   every hit of the claim's search (split by date past 9,999), fetched in batches, classified by
                 design, and, when neither in the register nor in the screening log, ranked: by ``ranking.rank``
                 until the claim has a relevant and an irrelevant decision, then by a model trained on its decisions
                 (``learning.learned_scores``); the design prior and recency only break ties
    decisions    data/screening.csv: include (the record enters the register with its stance and rationale),
                 exclude (with a PRISMA 2020 reason from rules/exclusion_reasons.csv; never proposed again), maybe;
                 rows stay in the order they were recorded, which the stopping test reads as the screening order
    prisma       the PRISMA 2020 flow counts per claim from the search and the log
    update       every search re-run up to a new Entrez date: what was added since the snapshot, and which claims'
                 verdicts could move (new trials or syntheses among the additions)

Writes are atomic and all-or-nothing: a bad row of an import is reported with file, line and field, and no
earlier decision is lost. Recording holds the locks of the log and the register's two files (``files.locked``) from
reading them to writing them, so runs recording at once each keep their decisions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from ..errors import DataError, InputError
from ..export_fields import csv_cell
from ..files import atomic_write, locked, read_rows
from ..judge.design import classify_record
from ..register.claims import Claim
from ..register.project import Register, load_register
from ..register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS, load_evidence, load_studies
from ..rules import rule_rows
from ..rules.article import designs
from ..sources.pubmed import PubMed, SearchResult, normalize_pmid
from ..sources.records import Record
from ..vocab import STANCES, pubmed_url
from .learning import learned_scores
from .ranking import rank, weights

__all__ = [
    "DECISIONS",
    "RELEVANT_DECISIONS",
    "SCREENING_COLUMNS",
    "Candidate",
    "Decision",
    "Ranking",
    "ScreeningLog",
    "UpdateReport",
    "candidates",
    "claim_facets",
    "conclusions",
    "Gathered",
    "exclusion_reasons",
    "gather_claim",
    "manual_decision",
    "prisma_counts",
    "refuse_contradictions",
    "screening_files_locked",
    "rank_candidates",
    "record_text",
    "screening_sequence",
    "update",
]

# ``forced``: "yes" when the PMID was recorded with --force although neither the claim's search nor the register
# held it; a log written before the column existed reads as not forced.
SCREENING_COLUMNS = ("claim_id", "pmid", "decision", "reason", "screened_on", "forced")
ADDED_SCREENING_COLUMNS = ("forced",)
EXPORT_COLUMNS = ("claim_id", "pmid", "score", "year", "design", "title", "conclusion", "url", "decision", "reason",
                  "stance", "rationale")
DECISIONS = ("include", "exclude", "maybe")
# What the model learns from: a record kept (included, or kept for the full text) is relevant, an excluded one not.
RELEVANT_DECISIONS = frozenset({"include", "maybe"})
CONCLUSION_LABELS = re.compile(r"\b(CONCLUSIONS?|INTERPRETATIONS?|IMPLICATIONS?|DISCUSSION|MAIN CONCLUSIONS?)\s*:",
                               re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
DESIGN_TIERS = {"inherits": 1.0, "high": 1.0, "low": 0.5, "very low": 0.2}  # GRADE starting certainty -> tier


@cache
def exclusion_reasons() -> dict[str, str]:
    """rules/exclusion_reasons.csv: reason -> label (PRISMA 2020 flow-diagram reasons)."""
    return {row["reason"]: row["label"] for row in rule_rows("exclusion_reasons")}


def conclusions(abstract: str) -> list[str]:
    """The conclusion of an abstract: its labelled conclusion section when structured, else its last two sentences."""
    text = (abstract or "").strip()
    if not text:
        return []
    labels = list(CONCLUSION_LABELS.finditer(text))
    if labels:
        start = labels[-1].end()
        following = re.search(r"\b[A-Z][A-Z ]{3,}:\s", text[start:])
        section = text[start: start + following.start()] if following else text[start:]
        return [s.strip() for s in SENTENCE.split(section.strip()) if s.strip()]
    sentences = [s.strip() for s in SENTENCE.split(text) if s.strip()]
    return sentences[-2:]


# -- candidates ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    claim_id: str
    pmid: str
    title: str
    journal: str
    year: int | None
    design: str
    score: float
    conclusion: str

    @property
    def url(self) -> str:
        return pubmed_url(self.pmid)


@dataclass(frozen=True)
class Ranking:
    """How a claim's candidates were ordered: ``basis`` is ``text`` (``ranking.rank``) or ``learned`` (a model
    trained on ``relevant`` and ``irrelevant`` decisions)."""

    basis: str
    relevant: int
    irrelevant: int


def claim_facets(claim: Claim) -> tuple[str, ...]:
    """The claim's PICO facets that join the query: population, intervention and outcome."""
    return tuple(f for f in (claim.population, claim.intervention, claim.outcome) if f.strip())


def record_text(record: Record) -> tuple[str, str, str]:
    """(title, abstract, MeSH headings) of a PubMed record, as ``ranking.rank`` reads it."""
    return record.title, record.abstract_text, "; ".join(h.descriptor for h in record.mesh)


def _design(record: Record) -> str:
    call = classify_record(record)
    return call.design if call else "other"


def screening_sequence(claim_id: str, log: ScreeningLog, register: Register, hits: Iterable[str]
                       ) -> list[tuple[str, bool]]:
    """(PMID, relevant) for the claim's screened hits in the order they were screened: the register's studies
    for the claim first (curated before the log began), then the log's decisions as recorded."""
    hits = set(hits)
    registered = {s.study_id: s.pmid for s in register.studies.values() if s.pmid}
    sequence = {registered[row.study_id]: True for row in register.evidence
                if row.claim_id == claim_id and row.study_id in registered and registered[row.study_id] in hits}
    for decision in log.in_order(claim_id):
        if decision.pmid in hits:
            sequence.pop(decision.pmid, None)
            sequence[decision.pmid] = decision.decision in RELEVANT_DECISIONS
    return list(sequence.items())


def rank_candidates(claim: Claim, records: Iterable[Record], *, skip: set[str] = frozenset(),
                    decisions: Mapping[str, bool] | None = None) -> tuple[list[Candidate], Ranking]:
    """Records not in ``skip``, best first, and how they were ranked.

    All records are ranked together (one search's hits share their statistics). With ``decisions`` (PMID ->
    relevant) holding both kinds, a model trained on them scores the records instead of ``ranking.rank``. Scores
    in the same band (rules/relevance.csv, ``tie_band``) are ordered by design tier, then newer first, then PMID.
    """
    records = list(records)
    texts = [record_text(r) for r in records]
    decisions = decisions or {}
    index = {r.pmid: i for i, r in enumerate(records)}
    known = {index[p]: relevant for p, relevant in decisions.items() if p in index}
    learned = learned_scores(texts, known, statement=claim.statement, pico=claim_facets(claim)) if known else None
    if learned is not None:
        scores = learned
        basis = Ranking("learned", sum(known.values()), len(known) - sum(known.values()))
    else:
        scores = rank(claim.statement, texts, pico=claim_facets(claim)) if records else []
        basis = Ranking("text", sum(known.values()), len(known) - sum(known.values()))
    band = weights()["tie_band"]
    found = []
    for record, score in zip(records, scores):
        if record.pmid in skip:
            continue
        design = _design(record)
        tier = DESIGN_TIERS.get(designs()[design]["grade_start"], 0.2)
        ending = " ".join(conclusions(record.abstract_text))
        found.append((round(score / band), tier, Candidate(claim.claim_id, record.pmid, record.title, record.journal,
                                                          record.year, design, score, ending)))
    found.sort(key=lambda f: (-f[0], -f[1], -(f[2].year or 0), int(f[2].pmid)))
    return [c for _, _, c in found], basis


def candidates(claim: Claim, client: PubMed, register: Register, log: ScreeningLog, *,
               max_date: str | None = None, progress: Callable[[str], None] = lambda message: None
               ) -> tuple[SearchResult, list[Candidate]]:
    """The claim's search (frozen at ``max_date``, default the client's snapshot date), every hit fetched, and those
    neither registered nor screened, ranked."""
    gathered = gather_claim(claim, client, register, log, max_date=max_date, progress=progress)
    return gathered.result, gathered.candidates


@dataclass(frozen=True)
class Gathered:
    """A claim's search, its hits' records, the candidates ranked, how, and the screening so far (PMID, relevant)."""

    result: SearchResult
    records: dict[str, Record]
    candidates: list[Candidate]
    ranking: Ranking
    sequence: list[tuple[str, bool]]


def gather_claim(claim: Claim, client: PubMed, register: Register, log: ScreeningLog, *,
                 max_date: str | None = None, progress: Callable[[str], None] = lambda message: None) -> Gathered:
    """``candidates``, with the records, how they were ranked and the claim's screening sequence."""
    result = client.search(claim.search_query, max_date=max_date)
    progress(f"{claim.claim_id}: {result.count} hits; fetching them in batches")
    records = client.fetch(result.ids).records
    known = {s.pmid for s in register.studies.values() if s.pmid} | log.screened(claim.claim_id)
    sequence = screening_sequence(claim.claim_id, log, register, result.ids)
    found, basis = rank_candidates(claim, records.values(), skip=known, decisions=dict(sequence))
    return Gathered(result, dict(records), found, basis, sequence)


def write_candidates(path: Path, found: Sequence[Candidate]) -> None:
    atomic_write(path, _csv(EXPORT_COLUMNS, ({
        "claim_id": c.claim_id, "pmid": c.pmid, "score": f"{c.score:.4f}", "year": c.year or "", "design": c.design,
        "title": csv_cell(c.title), "conclusion": csv_cell(c.conclusion), "url": c.url,
    } for c in found)).encode("utf-8"))


def _csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


# -- the screening log -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    claim_id: str
    pmid: str
    decision: str
    reason: str
    screened_on: str
    line: int = 0
    forced: bool = False


def _check_decision(values: Mapping[str, str], fail, claim_ids: set[str]) -> None:
    if values["claim_id"] not in claim_ids:
        raise fail("claim_id", f"claim {values['claim_id']!r} is not in claims.csv.",
                   f"use one of {', '.join(sorted(claim_ids))}.")
    try:
        normalize_pmid(values["pmid"])
    except InputError:
        raise fail("pmid", f"{values['pmid']!r} is not a PMID.", "a PMID is 1 to 9 digits, e.g. 24740528.") from None
    if values["decision"] not in DECISIONS:
        raise fail("decision", f"decision {values['decision']!r} is not one of {', '.join(DECISIONS)}.", "")
    reasons = exclusion_reasons()
    if values["decision"] == "exclude" and values["reason"] not in reasons:
        raise fail("reason", f"an exclusion needs a reason from rules/exclusion_reasons.csv, not {values['reason']!r}.",
                   f"use one of {', '.join(reasons)}.")
    if values.get("forced", "") not in ("", "yes"):
        raise fail("forced", f"forced {values['forced']!r} is neither empty nor 'yes'.",
                   "write yes for a PMID recorded with --force, else leave it empty.")


class ScreeningLog:
    """data/screening.csv: one decision per claim and PMID (a later decision replaces an earlier one)."""

    def __init__(self, path: Path, claim_ids: Iterable[str], decisions: Sequence[Decision] = ()):
        self.path = path
        self.claim_ids = set(claim_ids)
        self.decisions: dict[tuple[str, str], Decision] = {(d.claim_id, d.pmid): d for d in decisions}

    @classmethod
    def load(cls, root: Path, claim_ids: Iterable[str]) -> ScreeningLog:
        path = root / "data" / "screening.csv"
        claim_ids = set(claim_ids)
        decisions = []
        if path.is_file():
            for line, row in read_rows(path, SCREENING_COLUMNS, display="data/screening.csv",
                                       optional=ADDED_SCREENING_COLUMNS):
                def fail(column, message, fix="", line=line):
                    return DataError(message, file="data/screening.csv", line=line, column=column, fix=fix)

                _check_decision(row, fail, claim_ids)
                values = {**row, "pmid": normalize_pmid(row["pmid"]), "forced": row["forced"] == "yes"}
                decisions.append(Decision(**values, line=line))
        return cls(path, claim_ids, decisions)

    def for_claim(self, claim_id: str) -> list[Decision]:
        return [d for (c, _), d in sorted(self.decisions.items(), key=lambda kv: (kv[0][0], int(kv[0][1])))
                if c == claim_id]

    def in_order(self, claim_id: str) -> list[Decision]:
        """The claim's decisions in the order they were recorded (the file's order)."""
        return [d for (c, _), d in self.decisions.items() if c == claim_id]

    def screened(self, claim_id: str) -> set[str]:
        return {d.pmid for d in self.for_claim(claim_id)}

    def with_decisions(self, new: Iterable[Decision]) -> ScreeningLog:
        """The log with ``new`` appended; a record decided again moves to the end with its new decision, and stays
        marked forced if it was (being in the log, it no longer counts as unknown, but it is still in no search)."""
        log = ScreeningLog(self.path, self.claim_ids, list(self.decisions.values()))
        for decision in new:
            earlier = log.decisions.pop((decision.claim_id, decision.pmid), None)
            if earlier is not None and earlier.forced:
                decision = replace(decision, forced=True)
            log.decisions[(decision.claim_id, decision.pmid)] = decision
        return log

    def text(self) -> str:
        """The log as CSV, in the order the decisions were recorded: the stopping test reads it as screening order."""
        return _csv(SCREENING_COLUMNS, ({**{c: getattr(d, c) for c in SCREENING_COLUMNS},
                                         "forced": "yes" if d.forced else ""} for d in self.decisions.values()))


def manual_decision(claim_id: str, pmid: str, decision: str, *, reason: str = "", stance: str = "",
                    rationale: str = "", claim_ids: set[str], today: dt.date) -> tuple[Decision, str, str]:
    """A decision given on the command line, checked like a row of an import (InputError names the option)."""
    def fail(column, message, fix=""):
        return InputError(f"{message} {fix}".strip())

    values = {"claim_id": claim_id, "pmid": pmid, "decision": decision, "reason": reason}
    _check_decision(values, fail, claim_ids)
    if decision == "include" and (stance not in STANCES or not rationale):
        raise InputError(f"--include needs --stance (one of {', '.join(STANCES)}) and --rationale "
                         "(one sentence in your own words).")
    return Decision(claim_id, normalize_pmid(pmid), decision, reason, today.isoformat()), stance, rationale


def read_export(path: Path, claim_ids: set[str], *, today: dt.date) -> list[tuple[Decision, str, str]]:
    """Decisions filled into an exported CSV: (decision, stance, rationale); rows left blank are skipped.

    Every row is checked before anything is returned, so a bad row stops the import with its file, line and field.
    """
    name = path.name
    found = []
    for line, row in read_rows(path, EXPORT_COLUMNS, display=name):
        if not row["decision"]:
            continue

        def fail(column, message, fix="", line=line):
            return DataError(message, file=name, line=line, column=column, fix=fix)

        _check_decision(row, fail, claim_ids)
        if row["decision"] == "include":
            if row["stance"] not in STANCES:
                raise fail("stance", f"an inclusion needs a stance, one of {', '.join(STANCES)}.", "")
            if not row["rationale"]:
                raise fail("rationale", "an inclusion needs a one-sentence rationale in your own words.", "")
        found.append((Decision(row["claim_id"], normalize_pmid(row["pmid"]), row["decision"], row["reason"],
                               today.isoformat(), line), row["stance"], row["rationale"]))
    return found


def refuse_contradictions(decisions: Sequence[tuple[str, tuple[Decision, str, str]]]) -> None:
    """InputError when one call would record two different decisions (or stances) for one claim and PMID:
    ``decisions`` are (where each came from, e.g. ``--include`` or a file's line, decision)."""
    first: dict[tuple[str, str], tuple[str, tuple[str, str, str]]] = {}
    for source, (decision, stance, _) in decisions:
        key, what = (decision.claim_id, decision.pmid), (decision.decision, decision.reason, stance)
        if key not in first:
            first[key] = (source, what)
        elif first[key][1] != what:
            earlier, said = first[key]
            raise InputError(f"PMID {decision.pmid} is given two decisions for {decision.claim_id} in one call: "
                             f"{_said(said)} ({earlier}) and {_said(what)} ({source}); nothing was recorded. "
                             "Fix: decide each record once per call.")


def _said(what: tuple[str, str, str]) -> str:
    decision, reason, stance = what
    return decision + (f" {reason}" if reason else "") + (f" as {stance}" if stance else "")


@contextmanager
def screening_files_locked(root: Path) -> Iterator[None]:
    """Hold the locks of the files `screen` writes: the log and the register's studies and evidence, always in one
    order (so two holders never wait on each other). A writer holds them from reading to writing; a reader of
    several of them holds them too, or it could read one file before another run's write and the next after it
    (evidence naming a study that its studies.csv does not have yet)."""
    data = root / "data"
    with ExitStack() as stack:
        for path in sorted([data / "screening.csv", data / "studies.csv", data / "evidence.csv"]):
            stack.enter_context(locked(path))
        yield


def _first_family_name(record: Record) -> str:
    """The register's first author: the first author's whole family name ("van Os", "de Kloet") or the group's
    name, as data/citations.csv's loader compares it."""
    if record.author_names:
        first = record.author_names[0]
        return first.collective or first.last_name or "unknown"
    return record.first_author.split(" ")[0] if record.first_author else "unknown"


def apply_decisions(root: Path, claim_ids: Iterable[str], decisions: Sequence[tuple[Decision, str, str]],
                    records: Mapping[str, Record]) -> ScreeningLog:
    """Record ``decisions``: the log, and for inclusions the register (study from its PubMed record, evidence row).

    The log and the register's two files are locked (``screening_files_locked``), read as they are now (another
    run may have recorded since this one started), changed and written back atomically; every change is built
    before the first write.
    """
    with screening_files_locked(root):
        log = ScreeningLog.load(root, claim_ids)
        register = load_register(root)
        writes = _recorded(root, register, log, decisions, records)
        _check_register_texts(register, writes)
        for path, text in writes:
            atomic_write(path, text.encode("utf-8"))
    return ScreeningLog.load(root, claim_ids)


def _recorded(root: Path, register: Register, log: ScreeningLog, decisions: Sequence[tuple[Decision, str, str]],
              records: Mapping[str, Record]) -> list[tuple[Path, str]]:
    """The files' new texts with ``decisions`` recorded: (path, text), the log first."""
    studies_text = (root / "data" / "studies.csv").read_text(encoding="utf-8")
    evidence_text = (root / "data" / "evidence.csv").read_text(encoding="utf-8")
    new_studies, new_evidence = [], []
    known = {s.pmid: s.study_id for s in register.studies.values() if s.pmid}
    linked = {(row.claim_id, row.study_id) for row in register.evidence}
    for decision, stance, rationale in decisions:
        if decision.decision != "include":
            continue
        record = records.get(decision.pmid)
        if record is None:
            raise InputError(f"PMID {decision.pmid} was not fetched, so it cannot enter the register. "
                             "Fix: run with network (EVIDENCE_MODE=cached) so its PubMed record can be read.")
        study_id = known.get(decision.pmid)
        if study_id is None:
            study_id = f"pmid:{decision.pmid}"
            call = classify_record(record)
            new_studies.append({
                "study_id": study_id, "pmid": decision.pmid, "doi": record.doi, "pmcid": record.pmcid,
                "first_author": _first_family_name(record),
                "year": record.year or "", "journal": record.journal, "title": record.title,
                "design": call.design if call else "other", "n": "", "population": "",
                "source_url": pubmed_url(decision.pmid), "verified_on": decision.screened_on, "provenance": "entrez",
            })
            known[decision.pmid] = study_id
        if (decision.claim_id, study_id) not in linked:
            new_evidence.append({"claim_id": decision.claim_id, "study_id": study_id, "stance": stance,
                                 "outcome_measured": "", "follow_up": "", "effect": "", "rationale": rationale})
            linked.add((decision.claim_id, study_id))
    updated = log.with_decisions(d for d, _, _ in decisions)
    writes = [(log.path, updated.text())]
    if new_studies:
        writes.append((root / "data" / "studies.csv", _append(studies_text, STUDY_COLUMNS, new_studies)))
    if new_evidence:
        writes.append((root / "data" / "evidence.csv", _append(evidence_text, EVIDENCE_COLUMNS, new_evidence)))
    return writes


def _check_register_texts(register: Register, writes: Sequence[tuple[Path, str]]) -> None:
    """Read the register's new texts back with its own loaders, from a scratch folder, before anything is written:
    a PubMed record that leaves a required field empty (a record without a journal, say) stops the run with one
    error and the project as it was."""
    new = {path.name: text for path, text in writes if path.name in ("studies.csv", "evidence.csv")}
    if not new:
        return
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"  # so the loaders' messages name data/studies.csv as the project does
        data.mkdir()
        for name, text in new.items():
            (data / name).write_text(text, encoding="utf-8")
        try:
            studies = load_studies(data / "studies.csv") if "studies.csv" in new else register.studies
            if "evidence.csv" in new:
                load_evidence(data / "evidence.csv", register.claims, studies)
        except DataError as exc:
            raise DataError(f"{exc.message.rstrip('.')}, in the row this run built from an included PubMed record; "
                            "nothing was written.", file=exc.file, line=exc.line, column=exc.column,
                            fix="add the study to data/studies.csv and data/evidence.csv by hand, filling what its "
                                "PubMed record leaves empty, then record the decision again.") from None


def _append(text: str, columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> str:
    body = _csv(columns, rows).split("\n", 1)[1]
    return text if not body else text.rstrip("\n") + "\n" + body


# -- PRISMA 2020 -------------------------------------------------------------------------------------------------------
def prisma_counts(result: SearchResult | None, decisions: Sequence[Decision], register_pmids: set[str],
                  included_studies: int) -> dict[str, object]:
    """The PRISMA 2020 flow for one claim (a single database, so no duplicates are removed before screening)."""
    hits = set(result.ids) if result is not None else set()
    from_search = {p for p in register_pmids if p in hits}
    screened = {d.pmid for d in decisions} | from_search
    excluded = Counter(exclusion_reasons()[d.reason] for d in decisions if d.decision == "exclude")
    return {
        "identified": result.count if result is not None else None,
        "duplicates_removed": 0,
        "screened": len(screened),
        "excluded": sum(excluded.values()),
        "excluded_by_reason": dict(sorted(excluded.items())),
        "awaiting": sum(1 for d in decisions if d.decision == "maybe"),
        "included_from_search": len(from_search | {d.pmid for d in decisions if d.decision == "include"}),
        "other_sources": included_studies - len(from_search),
        "included": included_studies,
    }


# -- a living update ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpdateReport:
    since: str
    until: str
    added: dict[str, tuple[str, ...]]  # claim id -> PMIDs entered since the snapshot
    designs: dict[str, dict[str, str]]  # claim id -> PMID -> design
    flagged: tuple[str, ...]  # claims whose verdict could move

    def markdown(self) -> str:
        lines = [f"# Living update: records entered in PubMed from {self.since} to {self.until}", ""]
        if not any(self.added.values()):
            lines.append("No records were added to any claim's search since the snapshot.")
        lines += ["", "| claim | added | trials or syntheses | verdict could move |", "| --- | ---: | ---: | --- |"]
        for claim_id, pmids in self.added.items():
            weighty = [p for p in pmids if self.designs[claim_id][p] in WEIGHTY]
            lines.append(f"| {claim_id} | {len(pmids)} | {len(weighty)} | "
                         f"{'yes' if claim_id in self.flagged else 'no'} |")
        for claim_id in self.flagged:
            lines += ["", f"## {claim_id}", ""]
            lines += [f"- [PMID {p}]({pubmed_url(p)}): {self.designs[claim_id][p]}" for p in self.added[claim_id]
                      if self.designs[claim_id][p] in WEIGHTY]
        return "\n".join(lines) + "\n"


WEIGHTY = frozenset({"rct", "crossover-rct", "meta-analysis", "systematic-review"})


def update(claims: Sequence[Claim], client: PubMed, *, snapshot: dt.date, until: dt.date,
           progress: Callable[[Iterable], Iterable] = lambda items: items) -> UpdateReport:
    """Re-run every search for records entered after the ``snapshot`` date, up to ``until``."""
    since = snapshot + dt.timedelta(days=1)
    if until < since:
        raise InputError(f"the update date {until:%Y/%m/%d} is not after the snapshot ({snapshot:%Y/%m/%d}).")
    window = dict(min_date=f"{since:%Y/%m/%d}", max_date=f"{until:%Y/%m/%d}")
    added: dict[str, tuple[str, ...]] = {}
    for claim in progress(claims):
        added[claim.claim_id] = client.search(claim.search_query, **window).ids
    union = sorted({p for ids in added.values() for p in ids}, key=int)
    records = client.fetch(union).records if union else {}
    designs_of = {}
    for claim_id, ids in added.items():
        calls = {p: classify_record(records[p]) if p in records else None for p in ids}
        designs_of[claim_id] = {p: (call.design if call else "other") for p, call in calls.items()}
    flagged = tuple(c for c, found in designs_of.items() if any(d in WEIGHTY for d in found.values()))
    return UpdateReport(window["min_date"], window["max_date"], added, designs_of, flagged)
