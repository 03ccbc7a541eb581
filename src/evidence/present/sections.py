"""What a claim's section in a notebook shows, as Markdown built from the package's values.

Each function is pure (values in, text out) and returns an ``IPython.display.Markdown``, so a
notebook cell that ends with one of them shows it; ``.data`` holds the text for tests. Every value reaches the text
through ``escape.md`` (escaped as Markdown text) or as a checked link, never raw. When the snapshot holds no search
for a claim, the search card says so in one line and the screening and flow cells show nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from IPython.display import Markdown

from ..judge.synthesis import harmonised
from ..judge.verdict import Assessment
from ..judge.wording import glossary
from ..register.claims import Claim
from ..register.filters import get_filter
from ..register.ratings import CONSENSUS, Rating
from ..screening import prisma_counts
from ..sources.pubmed import SearchResult
from ..vocab import OVERRIDE_LABEL, POSITION_LEANING, VERDICT_LEANING, pubmed_url, trial_url
from .escape import SafeMarkdown, md, md_code, md_link
from .plots import plot_forest, plot_prisma

__all__ = ["authorities_card", "basis_summary", "claim_card", "forest_card", "glossary_card", "method_line",
           "prisma_card", "profile_markdown", "review_markdown", "screening_card", "sensitivity_markdown",
           "trials_card", "pool_card", "search_card", "verdict_card"]


def claim_card(claim: Claim) -> Markdown:
    """The article's words, our testable statement, and the question's parts."""
    return Markdown(md(
        "> {}\n\n**Testable statement.** {}\n\n"
        "*Population:* {} · *Intervention or exposure:* {} · *Comparator:* {} · *Outcome:* {}",
        claim.quote, claim.statement, claim.population or "-", claim.intervention or "-", claim.comparator or "-",
        claim.outcome or "-"))


# What a section says, once, when the snapshot holds no answer for its search (the screening and flow cells then
# show nothing).
NOT_IN_SNAPSHOT = ("*Not in this snapshot:* no count, flow or ranked candidates; the studies below come from the "
                   "curated register (`EVIDENCE_MODE=cached python3 tasks.py report` with network runs the search).")


def search_card(claim: Claim, result: SearchResult | None) -> Markdown:
    """The search as run, with its count, or one line saying that the snapshot holds no answer for it."""
    text = md("**Search strategy.** {}", md_code(claim.query))
    if claim.filters:
        chosen = get_filter(claim.filters)
        text += md(" combined with the published filter *{}* ({}).", chosen.label,
                   md_link("source", chosen.source_url))
    if result is None:
        return Markdown(f"{text} {NOT_IN_SNAPSHOT}")
    text += md("\n\nRun with Entrez dates {} to {}: **{}** records (PubMed's translation: {}).", result.min_date,
               result.max_date, result.count, md_code(result.query_translation))
    return Markdown(text)


def profile_markdown(assessment: Assessment) -> SafeMarkdown:
    """The evidence profile as one summary-of-findings row: what the verdict maps from."""
    profile = assessment.profile
    if profile is None:
        return md("")
    head = ("| basis | direction | magnitude against the claim | directness | certainty |\n"
            "| --- | --- | --- | --- | --- |\n")
    row = md("| {} | {} | {} | {} | {} |", profile.basis_label, profile.direction, profile.magnitude,
             profile.directness, profile.certainty)
    return md("**Evidence profile** (the verdict is the first row of `rules/verdict_profile.csv` it meets):\n\n{}{}",
              SafeMarkdown(head), row)


def review_markdown(assessment: Assessment, ratings: Sequence[Rating] = ()) -> SafeMarkdown:
    """What the blind dual review (data/ratings.csv) concluded for this claim, and whether the engine agrees; a
    disagreement is flagged with both positions."""
    consensus = next((r for r in ratings if r.claim_id == assessment.claim.claim_id and r.rater == CONSENSUS), None)
    if consensus is None:
        return md("")
    if consensus.verdict == assessment.suggested:
        return md("**Independent review agrees.** Two raters who did not see these rules, reconciled by a third, "
                  "reached *{}* at {} certainty.", consensus.verdict, consensus.certainty)
    return md("**⚑ Independent review disagrees.** Two raters who did not see these rules, reconciled by a third, "
              "reached *{}* at {} certainty: {} The rules give *{}* at {} certainty, for the reasons above. Both "
              "positions stand; the difference is reported with the agreement figures in 99 · Methods.",
              consensus.verdict, consensus.certainty, consensus.reasons, assessment.suggested, assessment.certainty)


def verdict_card(assessment: Assessment, ratings: Sequence[Rating] = ()) -> Markdown:
    """The verdict and certainty with what they mean, the evidence profile they map from, the rule that decided, the
    GRADE domains that lower the certainty, the gaps, and what independent reviewers concluded."""
    verdict = md("**Verdict: {}**", assessment.verdict)
    if assessment.overridden:
        verdict += md(" {} (set by a curator; the rules give *{}*)", OVERRIDE_LABEL, assessment.suggested)
    meaning = glossary()[assessment.verdict]
    counts = assessment.stance_counts()
    route = ("Built from the pooled evidence (effect route): counts by stance are descriptive only."
             if assessment.route == "effect" else
             "Built from the designs that answer this kind of claim (design route): counts by stance are descriptive "
             "only.")
    text = [
        md("{} · certainty **{}** (starting at {}).", SafeMarkdown(verdict), assessment.certainty,
           assessment.certainty_start),
        md("\n\n*What it means:* {} *A writer may say:* {}", meaning.meaning, meaning.writer_may_say),
        md("\n\n{}", profile_markdown(assessment)),
        md("\n\n{} {}", route, assessment.verdict_reason),
        md("\n\nStudies: {}.", ", ".join(f"{n} {stance}" for stance, n in counts.items())),
    ]
    if assessment.domains:
        text.append("\n\nGRADE domains that lower the certainty:\n" + "\n".join(
            md("- **{}** (−{}): {}", d.name, d.levels, " ".join(d.reasons)) for d in assessment.domains))
    else:
        text.append("\n\nNo GRADE domain lowers the certainty.")
    if assessment.gaps:
        text.append("\n\nGaps:\n" + "\n".join(md("- {}", gap) for gap in assessment.gaps))
    review = review_markdown(assessment, ratings)
    if review:
        text.append(md("\n\n{}", review))
    return Markdown("".join(text))


def glossary_card() -> Markdown:
    """The verdict glossary and GRADE's certainty words, for the book's front page."""
    from .packet import glossary_table

    return Markdown(glossary_table())


def _n(value: float) -> str:
    return f"{value:.2f}"


def favours(claim: Claim) -> str:
    """How the sign of every effect shown for ``claim`` reads (all are harmonised so that negative is a benefit)."""
    return f"Negative values favour the intervention ({claim.intervention or 'as the claim names it'})."


def _interval(values) -> str:
    return f"{_n(values[0])} to {_n(values[1])}"


def method_line(pool) -> str:
    """How the pool was computed, in words, with the numbers that decide the interval."""
    from ..judge import meta

    floor = " floored at 1" if pool.ci_method == "mHK" and pool.hk_scale < 1 else ""
    interval = meta.CI_LABELS[pool.ci_method] + (f", q = {pool.hk_scale:.2f}{floor}" if pool.ci_method != "Wald"
                                                 else "")
    tau2_ci = f"; Q-profile 95% CI {_interval(pool.tau2_ci)}" if pool.tau2_ci else ""
    i2_ci = f" ({pool.i2_ci[0]:.0f}% to {pool.i2_ci[1]:.0f}%)" if pool.i2_ci else ""
    return (f"random effects: tau² {pool.tau2:.2f} ({meta.TAU2_LABELS[pool.tau2_method]}{tau2_ci}), I² "
            f"{pool.i2:.0f}%{i2_ci}; 95% CI by the {interval}")


def sensitivity_markdown(pool) -> SafeMarkdown:
    """The sensitivity rows as a Markdown table, with what they say about robustness."""
    head = ("| analysis | k | estimate (95% CI) | decides robustness | conclusion changes |\n"
            "| --- | ---: | --- | --- | --- |\n")
    body = "\n".join(md("| {} | {} | {} ({}) | {} | {} |", r.label, r.k, _n(r.estimate), _interval(r.ci),
                        "yes" if r.counts else "no (shown only)" if r.kind != "main" else "",
                        md("**yes**") if r.flips else "no" if r.kind != "main" else "") for r in pool.sensitivity)
    flipped = [r.label for r in pool.flipped]
    verdict = (md("The conclusion (whether the CI excludes no effect, and whether the estimate reaches the minimal "
                  "important difference) holds under every reasonable alternative: the pool is **robust**.")
               if not flipped else
               md("The conclusion changes under {}: the pool is **not robust**, so it cannot make a claim "
                  "well-supported.", "; ".join(flipped)))
    return md("**Sensitivity.** {}\n\n{}{}", verdict, SafeMarkdown(head), SafeMarkdown(body))


def pool_card(assessment: Assessment) -> Markdown:
    """The numbers behind an effect claim, in words: our pool (method, intervals, sensitivity rows and what each
    trial contributes), the published pool used instead, or the single trial; what was left out and why."""
    synthesis = assessment.synthesis
    if synthesis is None or not synthesis.family:
        return Markdown("**Pooled evidence.** The claim asks no effect question, so nothing is pooled; the verdict "
                        "rests on the designs that answer it.")
    lines = [md("**Pooled evidence** ({}, {}). Basis: {}.", synthesis.family.replace("_", " "),
                synthesis.window_label, synthesis.reason)]
    if assessment.direction:
        reason = assessment.direction_reason
        lines.append(md(" Direction: **{}** ({}).", assessment.direction, reason[:1].lower() + reason[1:].rstrip(".")))
    pool = synthesis.pool
    if pool is not None:
        people = f"{pool.participants} participants" if pool.participants else "participants not all known"
        kinds = f" of {pool.value_kinds}" if pool.value_kinds else ""
        if pool.pi is None:
            prediction = "no prediction interval with fewer than 3 trials"
        else:
            prediction = f"95% prediction interval {_interval(pool.pi)}"
            if pool.pi_unreliable:
                prediction += (" (unreliable: tau² is estimated at 0 from fewer than 5 trials, so the interval shows "
                               "only the sampling error)")
        lines.append(md("\n\nOur pool: **{}{} {}** (95% CI {}) from {} trials, {}; {}; {}. {}", pool.measure, kinds,
                        _n(pool.estimate), _interval(pool.ci), pool.k, people, method_line(pool), prediction,
                        favours(assessment.claim)))
        if pool.mcid:
            reached = "reaches" if pool.estimate <= -pool.mcid else "does not reach"
            crosses = " and its confidence interval crosses it" if pool.ci[0] < -pool.mcid < pool.ci[1] else ""
            lines.append(md(" The estimate {} the minimal important difference of {:g}{} ({}).", reached, pool.mcid,
                            crosses, md_link(pool.mcid_note, pool.mcid_source)))
        lines.append(md(" Small-study effects: {}.", pool.small_study_test))
        lines.append(md("\n\n{}", sensitivity_markdown(pool)))
        lines.append("\n\nHow each trial's effect was obtained:\n" + "\n".join(
            md("- {}{}: {} (SE {}), {}; {}{}{}; risk of bias (RoB 2) {}: {}", s.label,
               f" (trial {s.unit})" if s.unit != s.study_id else "", _n(s.estimate), _n(s.se), s.derivation, s.outcome,
               f", {s.outcome_role} outcome" if s.outcome_role else ", outcome role not recorded",
               f", {s.value_kind} values" if s.value_kind else "", s.bias.overall, "; ".join(s.bias.reasons))
            for s in pool.studies))
    if synthesis.basis == "published":
        estimate, low, high = harmonised(synthesis.basis_pool)
        basis = synthesis.basis_pool
        size = ", ".join(x for x in (f"k={basis.k}" if basis.k else "", f"{basis.participants} participants"
                                     if basis.participants else "") if x)
        lines.append(md("\n\nPublished pool used: **{} {}** (95% CI {} to {}; {}), from the study in the register "
                        "{} ({}), harmonised in sign. {} Its trials' risk of bias and robustness cannot be checked "
                        "from what it prints.", basis.measure, _n(estimate), _n(low), _n(high),
                        basis.timepoint + (f"; {size}" if size else ""), md_code(basis.study_id), basis.where,
                        favours(assessment.claim)))
    if synthesis.not_basis:
        lines.append("\n\nPublished pools not used as the basis:\n" + "\n".join(md("- {}: {}", label, why)
                                                                             for label, why in synthesis.not_basis))
    if synthesis.single is not None and pool is None:
        single = synthesis.single
        lines.append(md("\n\nThe single trial with usable numbers, {}: {} (95% CI {} to {}; {}), {}.", single.label,
                        _n(single.estimate), _n(single.ci[0]), _n(single.ci[1]), single.outcome, single.derivation))
    if synthesis.excluded:
        lines.append("\n\nNot pooled:\n" + "\n".join(md("- {}: {}", label, why)
                                                      for label, why in synthesis.excluded))
    return Markdown("".join(lines))


def prisma_card(result: SearchResult | None, decisions, assessment: Assessment):
    """The claim's PRISMA 2020 flow diagram as a closed figure; nothing when the snapshot holds no search (the
    search card says so)."""
    if result is None:
        return None
    pmids = {s.pmid for _, s, _ in assessment.evidence if s.pmid}
    counts = prisma_counts(result, decisions, pmids, len(assessment.evidence))
    figure, ax = plt.subplots(figsize=(9, 5.2))
    plot_prisma(counts, ax=ax, title=f"{assessment.claim.claim_id}: PRISMA 2020 flow")
    figure.tight_layout()
    plt.close(figure)
    return figure


def screening_card(result: SearchResult | None, decisions, top=()) -> Markdown | None:
    """The screening log for the claim and the best candidates not yet screened (with links); without a search in
    the snapshot, only the log's decisions, or nothing (the search card says why)."""
    if result is None:
        if not decisions:
            return None
        head = "**Screening log.**"
    else:
        head = md("**Screening.** {} hits; `evidence screen` lists those not yet in the register or the log, ranked "
                  "(all of them in reports/candidates/).", result.count)
    if top:
        head += ("\n\n| rank | score | PMID | year | design | title |\n"
                 "| ---: | ---: | --- | --- | --- | --- |\n") + "\n".join(
            md("| {} | {:.2f} | {} | {} | {} | {} |", i, c.score, md_link(c.pmid, c.url), c.year or "", c.design,
               c.title) for i, c in enumerate(top, start=1))
    if not decisions:
        return Markdown(head + "\n\nThe screening log (`data/screening.csv`) holds no decision for this claim yet.")
    rows = "\n".join(md("| {} | {} | {} | {} |", md_link(d.pmid, pubmed_url(d.pmid)), d.decision, d.reason,
                         d.screened_on) for d in decisions)
    return Markdown(f"{head}\n\n| PMID | decision | reason | screened on |\n| --- | --- | --- | --- |\n{rows}")


def trials_card(assessment: Assessment, trials) -> Markdown:
    """The registered trials on the claim, and those completed over a year ago that nobody has reported."""
    mine = [t for t in trials if assessment.claim.claim_id in t.claim_ids]
    if not mine:
        return Markdown("**Registered trials.** No registered trial in `data/trials.csv` bears on this claim.")
    silent = {t.nct_id for t in assessment.unreported}
    rows = "\n".join(
        md("| {} | {} | {} | {} | {} | {} | {} |", md_link(t.nct_id, trial_url(t.nct_id)),
           t.status.lower().replace("_", " "), t.enrollment or "", t.ended, t.results_posted or "not shown",
           " ".join(t.study_ids) or "-", SafeMarkdown("**registered but unreported**" if t.nct_id in silent else ""))
        for t in mine)
    head = md("**Registered trials.** {} registered trials bear on this claim; {} completed more than a year before "
              "the snapshot with neither posted results nor a report in the register", len(mine), len(silent)) \
        + (" (counted in the publication-bias domain)." if silent else ".")
    return Markdown(f"{head}\n\n| trial | status | enrolment | ended | results posted | reported by | |\n"
                    f"| --- | --- | ---: | --- | --- | --- | --- |\n{rows}")


def forest_card(synthesis):
    """The forest plot as a closed figure (a notebook shows it once), or a note when there are no numbers."""
    figure, ax = plt.subplots(figsize=(8, 3))
    drawn = plot_forest(synthesis, ax=ax)
    if drawn is None:
        plt.close(figure)
        return Markdown(md("**Forest plot.** Nothing to draw: {}.", synthesis.reason))
    rows = len(ax.get_yticks())
    figure.set_size_inches(8, 0.55 * rows + 1.6)
    figure.tight_layout()
    plt.close(figure)
    return figure


def basis_summary(assessment: Assessment) -> str:
    """One line: what the verdict rests on, with its numbers (negative favours the claim's intervention)."""
    synthesis = assessment.synthesis
    if assessment.route != "effect" or synthesis is None:
        return assessment.profile.basis_label if assessment.profile else assessment.verdict_reason
    if synthesis.basis == "pool":
        pool = synthesis.pool
        return (f"our pool of {pool.k} trials, {pool.measure} {_n(pool.estimate)} "
                f"(95% CI {_n(pool.ci[0])} to {_n(pool.ci[1])}, {'robust' if pool.robust else 'not robust'} to the "
                "sensitivity analyses)")
    if synthesis.basis == "published":
        estimate, low, high = harmonised(synthesis.basis_pool)
        return (f"{synthesis.reason}: {synthesis.basis_pool.measure} {_n(estimate)} (95% CI {_n(low)} to {_n(high)}), "
                f"certainty {assessment.certainty}")
    single = synthesis.single
    return (f"one trial, {single.label}: {single.measure_label} {_n(single.estimate)} (95% CI {_n(single.ci[0])} to "
            f"{_n(single.ci[1])})")


def authorities_card(assessment: Assessment) -> Markdown:
    """What guidelines, review bodies and regulators conclude on the claim, beside our verdict, and why we differ
    where we do."""
    rows = [a for a in assessment.authorities if a.position != "not addressed"]
    if not rows:
        return Markdown("**What the authorities conclude.** No guideline, review body or regulator in "
                        "`data/authorities.csv` takes a position on this claim.")
    table = "\n".join(
        md("| {} | {} | {} | {} | {} {} |", a.body, a.year or "", a.position, a.strength, a.summary,
           md_link("source", a.source_url.split()[0]))
        for a in sorted(rows, key=lambda a: (-(a.year or 0), a.body)))
    text = ["**What the authorities conclude.**\n\n| body | year | position | strength | in our words |\n"
            "| --- | --- | --- | --- | --- |\n" + table]
    ours = VERDICT_LEANING[assessment.verdict]
    later = {a.line: sum(1 for _, s, _ in assessment.evidence if a.year and s.year > a.year) for a in rows}
    for a in rows:
        theirs = POSITION_LEANING[a.position]
        if theirs and ours != theirs:
            basis = basis_summary(assessment)
            text.append(md("\n\n*Where we differ from {}:* it judged the evidence '{}', our verdict is '{}'. "
                           "Our verdict rests on this: {}.", a.body + (f" ({a.year})" if a.year else ""), a.position,
                           assessment.verdict, basis.rstrip("."))
                        + (md(" The register holds {} studies on this claim published after {}.", later[a.line],
                              a.year) if a.year else ""))
    return Markdown("".join(text))
