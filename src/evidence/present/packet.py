"""A blind review packet: what an independent rater needs to judge each claim, and nothing of the engine's answer.

For each claim: the article's words and our testable statement with its parts, every registered study with its
design, size, stance and what it found, the trial numbers with our pool (its members, method, intervals and
sensitivity rows, as numbers), the published pools as printed, the risk-of-bias and indirectness records, the
registered trials and the authorities' positions. Left out on purpose: the verdict, the certainty, the GRADE domains,
the direction and which body the engine chose, so the raters' judgements can calibrate the rules (VERDICTS.md: "does
not see the rules' output"). ``evidence packet --out DIR`` writes it; ``data/ratings.csv`` receives the judgements.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..files import atomic_write
from ..judge.synthesis import ClaimSynthesis, harmonised, synthesize_claim
from ..judge.wording import glossary
from ..register.claims import Claim
from ..register.project import Project
from ..rules import rule_rows
from .escape import SafeMarkdown, md

__all__ = ["claim_packet", "glossary_markdown", "glossary_table", "write_packet"]


def _n(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> SafeMarkdown:
    """A Markdown table whose every cell is escaped text (or Markdown we built)."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [md("| " + " | ".join("{}" for _ in row) + " |", *row) for row in rows]
    return SafeMarkdown("\n".join(lines))


def _studies(project: Project, claim: Claim) -> SafeMarkdown:
    rows = []
    for row, study in project.register.for_claim(claim.claim_id):
        rows.append((f"{study.first_author} {study.year}", study.study_id, study.design,
                     study.n if study.n is not None else "", study.trial_id or "", row.stance, row.outcome_measured,
                     row.follow_up, row.effect, row.rationale))
    if not rows:
        return SafeMarkdown("No study is registered for this claim.")
    return _table(("study", "id", "design", "n", "trial", "stance", "outcome", "follow-up", "what it found",
                   "why this stance (curator)"), rows)


def _pool(synthesis: ClaimSynthesis) -> SafeMarkdown:
    pool = synthesis.pool
    if pool is None:
        return SafeMarkdown("")
    pi = (f"{_n(pool.pi[0])} to {_n(pool.pi[1])}" + (" (tau² estimated at 0 from fewer than 5 trials)"
                                                     if pool.pi_unreliable else "")) if pool.pi else "none (k < 3)"
    head = md("**Our pool** ({}): {} trials, {} participants. Estimate {} (95% CI {} to {}, {}); prediction interval "
              "{}; tau² {} (Q-profile CI {}), I² {}%. Negative values favour the intervention.",
              pool.measure, pool.k, pool.participants if pool.participants is not None else "not all known",
              _n(pool.estimate), _n(pool.ci[0]), _n(pool.ci[1]), pool.ci_method, pi, _n(pool.tau2, 3),
              f"{_n(pool.tau2_ci[0], 1)} to {_n(pool.tau2_ci[1], 1)}" if pool.tau2_ci else "not computed",
              f"{pool.i2:.0f}")
    if pool.mcid:
        head = md("{} Minimal important difference on this scale: {:g}.", head, pool.mcid)
    members = _table(("trial", "estimate", "SE", "n", "weight %", "outcome", "outcome role", "risk of bias (RoB 2)"),
                     [(s.label + (f" ({s.unit})" if s.unit != s.study_id else ""), _n(s.estimate), _n(s.se),
                       s.participants or "", f"{w:.0f}", s.outcome, s.outcome_role or "not recorded",
                       f"{s.bias.overall}: {'; '.join(s.bias.reasons)}") for s, w in zip(pool.studies, pool.weights)])
    sensitivity = _table(("alternative analysis", "k", "estimate", "95% CI"),
                         [(r.label, r.k, _n(r.estimate), f"{_n(r.ci[0])} to {_n(r.ci[1])}")
                          for r in pool.sensitivity])
    return md("{}\n\n{}\n\nThe same pool under other reasonable choices:\n\n{}", head, members, sensitivity)


def _numbers(project: Project, claim: Claim) -> SafeMarkdown:
    synthesis = synthesize_claim(claim, project.register.studies, project.register.effect_data)
    if not synthesis.family:
        return SafeMarkdown("The claim asks no effect question (no outcome family in claims.csv), so no trial numbers "
                            "are pooled for it.")
    parts = [md("Effect question: {}, {}.", synthesis.family.replace("_", " "), synthesis.window_label)]
    pooled = _pool(synthesis)
    if pooled:
        parts.append(pooled)
    elif synthesis.single is not None:
        single = synthesis.single
        parts.append(md("**One trial with usable numbers**: {}, {} {} (95% CI {} to {}), n {}; {}.", single.label,
                        single.outcome, _n(single.estimate), _n(single.ci[0]), _n(single.ci[1]),
                        single.participants or "not known", single.derivation))
    else:
        parts.append(SafeMarkdown("No trial has numbers that can be pooled for this question."))
    if synthesis.excluded:
        parts.append(md("Not pooled:\n\n{}", SafeMarkdown("\n".join(md("- {}: {}", label, why)
                                                                   for label, why in synthesis.excluded))))
    published = [p for p in synthesis.published if p.estimate is not None]
    if published:
        rows = []
        for p in published:
            low = high = None
            estimate = p.estimate
            if p.ci_low is not None:
                estimate, low, high = harmonised(p)
            study = project.register.studies[p.study_id]
            rows.append((f"{study.first_author} {study.year}", p.measure, p.outcome, p.timepoint, p.role, p.k or "",
                         p.participants or "", _n(estimate), f"{_n(low)} to {_n(high)}" if low is not None else "",
                         p.flag, p.notes))
        parts.append(md("**Published pools** (as printed, the sign turned so that negative favours the "
                        "intervention):\n\n{}", _table(("review", "measure", "outcome", "time", "role", "k",
                                                         "participants", "estimate", "95% CI", "flag", "notes"), rows)))
    return SafeMarkdown("\n\n".join(parts))


def _records(project: Project, claim: Claim) -> SafeMarkdown:
    data = project.register.effect_data
    ids = {s.study_id for _, s in project.register.for_claim(claim.claim_id)}
    parts = []
    rob = [data.risk_of_bias[i] for i in sorted(ids) if i in data.risk_of_bias]
    if rob:
        parts.append(md("**Risk of bias as the sources describe it**\n\n{}", _table(
            ("study", "sequence", "concealment", "blinding", "blinding checked", "notes"),
            [(r.study_id, r.sequence_generation, r.allocation_concealment, r.blinding, r.blinding_check, r.notes)
             for r in rob])))
    indirect = [j for (c, _), j in sorted(data.indirectness.items()) if c == claim.claim_id]
    if indirect:
        parts.append(md("**Indirectness, as the curators judged each trial against this claim**\n\n{}", _table(
            ("study", "population", "intervention", "comparator", "outcome", "why"),
            [(j.study_id, j.population, j.intervention, j.comparator, j.outcome, j.reason) for j in indirect])))
    trials = [t for t in data.trials if claim.claim_id in t.claim_ids]
    if trials:
        parts.append(md("**Registered trials**\n\n{}", _table(
            ("registry id", "status", "enrolment", "ended", "results posted", "reported by"),
            [(t.nct_id, t.status.lower(), t.enrollment or "", t.ended, t.results_posted or "not shown",
              " ".join(t.study_ids) or "no report in the register") for t in trials])))
    authorities = [a for a in data.authorities if a.claim_id == claim.claim_id]
    parts.append(md("**What guidelines, review bodies and regulators say**\n\n{}", _table(
        ("body", "year", "position", "strength", "in our words"),
        [(a.body, a.year or "", a.position, a.strength, a.summary) for a in authorities]))
        if authorities else SafeMarkdown("No guideline, review body or regulator position is recorded."))
    return SafeMarkdown("\n\n".join(parts))


def claim_packet(project: Project, claim: Claim) -> str:
    """One claim's page of the packet, as Markdown."""
    return md("# {} · {}\n\n**The article says** (section {}): {}\n\n**Claim type** {}; about {}. **Population** {}; "
              "**intervention** {}; **comparator** {}; **outcome** {}.\n\n## Studies in the register\n\n{}\n\n"
              "## Trial numbers\n\n{}\n\n## Records that bear on certainty\n\n{}\n",
              claim.claim_id, claim.statement, claim.section, claim.quote, claim.claim_type, claim.subjects,
              claim.population or "-", claim.intervention or "-", claim.comparator or "-", claim.outcome or "-",
              _studies(project, claim), _numbers(project, claim), _records(project, claim))


def glossary_table() -> str:
    """The verdict glossary and GRADE's certainty words (rules/verdict_glossary.csv, rules/certainty_words.csv), as
    Markdown tables."""
    verdicts = _table(("verdict", "what the evidence shows", "what a writer may say"),
                      [(m.verdict, m.meaning, m.writer_may_say) for m in glossary().values()])
    words = _table(("certainty", "a statement says", "what it means"),
                   [(r["certainty"], r["says"], r["means"]) for r in rule_rows("certainty_words")])
    return md("{}\n\nCertainty (GRADE: high, moderate, low, very low) is a separate axis: how sure we are of the "
              "evidence, not which way it points (Santesso et al. 2020's informative statements).\n\n{}\n",
              verdicts, words)


def glossary_markdown() -> str:
    """The glossary as the packet's README."""
    return "# What a verdict means\n\n" + glossary_table()


def write_packet(project: Project, folder: Path) -> list[Path]:
    """The packet's files in ``folder``: README.md (the glossary) and one page per claim."""
    written = [folder / "README.md"]
    atomic_write(written[0], glossary_markdown().encode("utf-8"))
    for claim in project.claims:
        path = folder / f"{claim.claim_id}.md"
        atomic_write(path, claim_packet(project, claim).encode("utf-8"))
        written.append(path)
    return written
