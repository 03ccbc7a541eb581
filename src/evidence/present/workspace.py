"""The values a notebook or a command works from, loaded once: the project, the PubMed client, each claim's search
as the snapshot (or, by mode, the network) answers it, the registered studies' records, and every claim's assessment
(computed once, on first use).

Everything that touches the cache or the network happens here, in ``load_workspace``; the tables, verdicts and
figures compute from what the workspace holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import CacheMissError, InputError
from ..judge.verdict import Assessment, assess_claim, assess_project
from ..register.claims import Claim
from ..register.project import Project, Register, load_project
from ..register.studies import EvidenceRow, Override, Study
from ..screening import ScreeningLog, candidates
from ..settings import Settings
from ..sources.pubmed import PubMed, SearchResult
from ..sources.records import Record
from .freshness import cached_assessments

__all__ = ["Workspace", "exclude", "load_workspace"]

Linked = list[tuple[EvidenceRow, Study]]


@dataclass
class Workspace:
    settings: Settings
    project: Project
    client: PubMed
    searches: dict[str, SearchResult | None] = field(default_factory=dict)
    # claim id -> the cache file a search would be replayed from, for searches not in the snapshot
    search_misses: dict[str, str] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    screening: ScreeningLog | None = None
    _assessments: dict[str, Assessment] | None = field(default=None, repr=False)

    @property
    def register(self) -> Register:
        return self.project.register

    def claim(self, claim_id: str) -> Claim:
        return self.register.claim(claim_id)

    def evidence(self, claim_id: str) -> Linked:
        """The register's studies for ``claim_id``, as (evidence row, study) pairs: yours to filter."""
        return self.register.for_claim(self.claim(claim_id).claim_id)

    def override(self, claim_id: str) -> Override | None:
        return self.register.overrides.get(claim_id)

    def assess(self, claim_id: str, evidence: Sequence[tuple[EvidenceRow, Study]] | None = None) -> Assessment:
        """The verdict for ``claim_id`` from ``evidence`` (default: all its studies in the register, assessed once
        for the whole workspace)."""
        claim = self.claim(claim_id)
        if evidence is None or list(evidence) == self.evidence(claim.claim_id):
            return self._all()[claim.claim_id]
        return assess_claim(claim, evidence, records=self.records, override=self.override(claim.claim_id),
                            effect_data=self.register.effect_data, studies=self.register.studies,
                            as_of=self.project.config.snapshot_date)

    def candidates(self, claim_id: str, limit: int = 10) -> list:
        """The best ``limit`` candidates of the claim's search not yet registered or screened; none when the
        snapshot holds no search (offline) — with network they come from the search's records (cached after once)."""
        if self.searches.get(claim_id) is None:
            return []
        claim = self.claim(claim_id)
        _, found = candidates(claim, self.client, self.register, self.screening)
        return found[:limit]

    def assessments(self) -> list[Assessment]:
        """Every claim's verdict, in claims.csv order (each claim assessed once per workspace)."""
        return list(self._all().values())

    def _all(self) -> dict[str, Assessment]:
        if self._assessments is None:
            assessed = cached_assessments(self.project.root, self.records,
                                          lambda: assess_project(self.project, records=self.records))
            self._assessments = {a.claim.claim_id: a for a in assessed}
        return self._assessments


def exclude(linked: Sequence[tuple[EvidenceRow, Study]], *study_ids: str) -> Linked:
    """``linked`` without the named studies (e.g. to see how a verdict rests on one trial)."""
    known = {study.study_id for _, study in linked}
    unknown = [s for s in study_ids if s not in known]
    if unknown:
        raise InputError(f"{', '.join(unknown)} is not among this claim's studies. "
                         f"Fix: use one of {', '.join(sorted(known))}.")
    return [(row, study) for row, study in linked if study.study_id not in study_ids]


def load_workspace(settings: Settings | None = None, *, project: Project | None = None, searches: bool = True,
                   network: bool = True) -> Workspace:
    """The project and whatever the cache (or network, by mode) holds for the searches and records.

    ``searches=False`` skips the claims' searches (the command line's verdicts need only the records);
    ``network=False`` reads the records from the cache alone, whatever the mode."""
    settings = settings or Settings.from_env()
    project = project or load_project(settings.root)
    client = PubMed(settings, progress=lambda message: None, snapshot_date=project.config.snapshot_date)
    workspace = Workspace(settings, project, client,
                          screening=ScreeningLog.load(settings.root, [c.claim_id for c in project.claims]))
    for claim in project.claims if searches else ():
        try:
            workspace.searches[claim.claim_id] = client.search(claim.search_query)
        except CacheMissError as miss:  # not in the snapshot; a damaged entry still raises
            workspace.searches[claim.claim_id] = None
            workspace.search_misses[claim.claim_id] = miss.path
    pmids = sorted({s.pmid for s in project.register.studies.values() if s.pmid}, key=int)
    reader = client if network else PubMed(dataclasses.replace(settings, mode="offline"), progress=lambda m: None,
                                           snapshot_date=project.config.snapshot_date)
    try:
        workspace.records = reader.fetch(pmids).records
    except CacheMissError:
        workspace.records = {}
    return workspace
