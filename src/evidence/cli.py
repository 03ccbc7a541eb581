"""The ``evidence`` command.

    evidence report [NOTEBOOK ...]       validate, generate the group notebooks, execute them, build the book
    evidence notebooks                   generate the group notebooks from claims.csv (no execution)
    evidence claims [--group G]          the claims of claims.csv
    evidence search CLAIM_ID             run (or replay) a claim's PubMed search
    evidence register --summary          studies per claim, stance and design; studies without a PMID
    evidence refresh [--report PATH]     fetch the register's records from PubMed and report mismatches (title, year,
                     [--fill-citations]  journal, DOI, authors, volume, issue, pages, PMCID); --fill-citations writes
                                         PubMed's values into empty fields of data/citations.csv and pmcids
    evidence check [--format json|table] the verdict per claim, with certainty and the key studies
                   [--claim C04]         one claim in full: statement, pools, authorities, key studies with links
                   [--fail-on V,V]       exit 3 when any claim's verdict is at or below the best verdict named
    evidence pools [--out FILE.csv]      every pool's per-trial rows (yi, vi, sei, ni) in the layout metafor's escalc/rma
                                         and RevMan's generic inverse-variance import read
    evidence cite [--claim C04] [--format ris|bibtex|csljson] [--out FILE]
                                         the studies behind one claim, or the whole article, for a reference manager
    evidence init ARTICLE.txt FOLDER     a new project for another article: draft claims (type, PICO, a query of
                                         concept blocks), empty register, notebooks, tests, README, the two commands
    evidence init --map FOLDER           with network: map the drafts' terms to MeSH and count each draft query
    evidence claimreview [--claim C04] [--out FILE]
                                         schema.org ClaimReview JSON-LD per claim (the brief's page embeds it)
    evidence brief [--out FILE.pdf] [--html-only]
                                         the writer's brief: per claim the article's words, verdict, what can be
                                         said and the studies to cite; printed to PDF by headless Chromium
    evidence screen CLAIM_ID [...]       rank the claim's PubMed hits not yet screened; record decisions;
                                         --export a CSV to screen in a spreadsheet, --import it back;
                                         --asreview-export/--asreview-import for ASReview LAB
    evidence update [--until DATE]       re-run every search past the snapshot date; reports/update.md

Exit codes: 0 done; 2 a user error (bad input, a bad option or a contradictory pair, a cache miss offline, NCBI down),
printed as one message and never a traceback; 3 `check --fail-on` found a claim at or below the named verdicts; 4 the
file system refused (a read-only folder, a full disk) or another run held a project file's lock past the wait; 5 a
bug (one line; -v shows the traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import ConfigurationError, EvidenceError, LockError
from .present.tables import claim_coverage_table, claims_table, design_table, studies_without_pmid_table
from .register.claims import claims_in_group
from .register.project import load_project
from .register.refresh import refresh_register
from .settings import Settings
from .sources.pubmed import PubMed, normalize_pmid
from .vocab import OVERRIDE_LABEL

__all__ = ["main"]


def _print_frame(frame: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 80):
        print(frame.to_string(index=False) if len(frame) else "(none)")


def cmd_report(args, settings: Settings) -> int:
    from .present.report import run_report  # imports the notebook and book machinery only when needed

    return run_report(settings, notebooks=args.notebooks, progress=_progress, force=args.force)


def cmd_notebooks(args, settings: Settings) -> int:
    from .present.notebook import write_group_notebooks

    for path in write_group_notebooks(load_project(settings.root)):
        print(settings.display_path(path))
    return 0


def cmd_claims(args, settings: Settings) -> int:
    claims = list(load_project(settings.root).claims)
    table = claims_table(claims_in_group(claims, args.group) if args.group else claims)
    _print_frame(table[["claim_id", "group", "claim_type", "statement"]])
    return 0


def cmd_search(args, settings: Settings) -> int:
    project = load_project(settings.root)
    claim = project.claim(args.claim_id)
    client = PubMed(settings, progress=_progress, snapshot_date=project.config.snapshot_date)
    result = client.search(claim.search_query)
    print(f"{claim.claim_id}: {result.count} PubMed records (Entrez date {result.min_date}-{result.max_date})")
    print(f"query: {claim.search_query}")
    if result.query_translation:
        print(f"PubMed translation: {result.query_translation}")
    for pmid in result.ids[: args.show]:
        print(f"  https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
    if result.count > args.show:
        print(f"  ... and {result.count - args.show} more")
    for drift in client.drift:
        print(f"changed since the cached answer: {drift.old_count} -> {drift.new_count} records, "
              f"{len(drift.added)} added, {len(drift.removed)} removed")
    return 0


def cmd_register(args, settings: Settings) -> int:
    register = load_project(settings.root).register
    print(f"{len(register.studies)} studies, {len(register.evidence)} evidence rows, {len(register.claims)} claims\n")
    if not args.summary:
        return 0
    coverage = claim_coverage_table(register)
    print("Evidence rows per claim and stance:")
    _print_frame(coverage)
    missing = coverage.loc[coverage["no_contrasting"], "claim_id"].tolist()
    print("\nClaims without contrasting or mixed evidence: " + (", ".join(missing) or "none")
          + (" (see data/README.md for why)" if missing else ""))
    print("\nStudies per design:")
    _print_frame(design_table(register))
    print("\nStudies without a verified PMID (run `evidence refresh` with network to resolve their DOIs):")
    _print_frame(studies_without_pmid_table(register))
    return 0


def cmd_refresh(args, settings: Settings) -> int:
    report_path = args.report or settings.root / "reports" / "refresh.csv"
    _refuse_project_input(settings, report_path, "--report")
    if settings.mode == "offline":
        raise ConfigurationError("refresh needs the network. Fix: set NCBI_EMAIL and run with EVIDENCE_MODE=cached "
                            "(resumes from the cache) or EVIDENCE_MODE=live (fetches everything anew).")
    project = load_project(settings.root)
    register = project.register
    client = PubMed(settings, progress=_progress, snapshot_date=project.config.snapshot_date)
    report = refresh_register(register, client, report_path=report_path, progress=_progress,
                              citations=project.citations, data_dir=settings.root / "data", fill=args.fill_citations)
    print(f"checked {report.checked} PubMed records; {len(report.resolved_dois)} DOI(s) resolved to PMIDs; "
          f"{len(report.mismatches)} finding(s) written to {settings.display_path(report_path)}; "
          f"{report.citations.line(args.fill_citations)}")
    print(f"requests: {client.stats.network} to NCBI, {client.stats.cache_hits} answered from the cache")
    return 0


def _workspace(settings: Settings):
    """The project with its registered studies' records as the cache holds them (these verbs never touch the
    network), each claim assessed once on first use."""
    from .present.workspace import load_workspace

    return load_workspace(settings, searches=False, network=False)


def check_rows(workspace) -> list[dict]:
    """The verdict per claim, as plain data (what `evidence check --format json` prints)."""
    records = workspace.records
    rows = []
    for assessment in workspace.assessments():
        rows.append({
            "claim_id": assessment.claim.claim_id,
            "verdict": assessment.verdict,
            "suggested": assessment.suggested,  # the engine's verdict before any curator's override
            "certainty": assessment.certainty,
            "basis": _basis(assessment),
            "route": assessment.route,
            "direction": assessment.direction or None,
            "counts": assessment.stance_counts(),
            "override": assessment.overridden,
            "downgrades": [name for name, _ in assessment.downgrades],
            "domains": [{"domain": d.name, "levels": d.levels, "reasons": list(d.reasons)} for d in assessment.domains],
            "pools": _pools(assessment),
            "authorities": [{"body": a.body, "year": a.year, "document": a.document, "position": a.position,
                             "strength": a.strength, "summary": a.summary, "source_url": a.source_url}
                            for a in assessment.authorities],
            "notices": [{"study_id": s.study_id, "kind": kind, "notice_pmid": pmid}
                        for _, s, _ in assessment.evidence if s.pmid in records
                        for kind, pmid in records[s.pmid].notices],
            "statement": assessment.claim.statement,
        })
    return rows


def _basis(assessment) -> dict | None:
    """What the verdict rests on: the kind of basis, in words, its study ids (or the published pool's), and the
    profile the verdict table read."""
    profile = assessment.profile
    if profile is None:
        return None
    return {"kind": profile.basis, "label": profile.basis_label, "study_ids": list(profile.basis_ids),
            "direction": profile.direction, "magnitude": profile.magnitude, "directness": profile.directness,
            "certainty": profile.certainty}


def _require_fitting_wordings(workspace) -> None:
    """Stop before publishing a suggested wording that says more, or less, than its verdict and certainty."""
    from .judge.wording import require_fitting_wordings

    require_fitting_wordings(workspace.project.wording,
                             {a.claim.claim_id: (a.verdict, a.certainty) for a in workspace.assessments()})


def _round(values, digits: int = 4):
    return None if values is None else [round(float(x), digits) for x in values]


def _pools(assessment) -> list[dict]:
    """Our pool and the published pools, as plain numbers (negative favours the claim's intervention): members,
    method, intervals, sensitivity rows; a published pool carries ``basis`` and its source."""
    from .judge.synthesis import harmonised

    synthesis = assessment.synthesis
    found = []
    if synthesis is None or not synthesis.family:
        return found
    pool = synthesis.pool
    if pool is not None:
        found.append({
            "source": "this project", "basis": synthesis.basis == "pool", "outcome": synthesis.family,
            "window": synthesis.window, "measure": pool.measure, "value_kinds": pool.value_kinds or None,
            "k": pool.k, "participants": pool.participants,
            "members": [{"study_id": e.study_id, "trial_id": e.unit, "label": e.label, "outcome": e.outcome,
                         "outcome_role": e.outcome_role or None, "value_kind": e.value_kind or None,
                         "estimate": round(e.estimate, 4), "se": round(e.se, 4), "n": e.participants,
                         "weight": round(w, 2), "risk_of_bias": e.bias.overall, "derivation": e.derivation}
                        for e, w in zip(pool.studies, pool.weights)],
            "tau2_method": pool.tau2_method, "ci_method": pool.ci_method, "estimate": round(pool.estimate, 4),
            "se": round(pool.se, 4), "ci": _round(pool.ci), "prediction_interval": _round(pool.pi),
            "prediction_interval_unreliable": pool.pi_unreliable, "tau2": round(pool.tau2, 4),
            "tau2_ci": _round(pool.tau2_ci), "i2": round(pool.i2, 1), "i2_ci": _round(pool.i2_ci, 1),
            "hartung_knapp_q": round(pool.hk_scale, 4), "mcid": pool.mcid, "robust": pool.robust,
            "sensitivity": [{"label": r.label, "kind": r.kind, "k": r.k, "estimate": round(r.estimate, 4),
                             "ci": _round(r.ci), "tau2": round(r.tau2, 4), "counts": r.counts, "flips": r.flips}
                            for r in pool.sensitivity],
        })
    for published in synthesis.published:
        if published.estimate is None or published.ci_low is None:
            continue
        estimate, low, high = harmonised(published)
        found.append({"source": published.study_id, "basis": synthesis.basis_pool == published
                      and synthesis.basis == "published", "role": published.role, "outcome": published.family,
                      "window": published.window, "timepoint": published.timepoint, "measure": published.measure,
                      "k": published.k, "participants": published.participants, "estimate": estimate,
                      "ci": [low, high], "prediction_interval": None, "i2": published.i2 or None, "tau2": None,
                      "flag": published.flag or None, "where": published.where, "source_url": published.source_url})
    return found


def pool_rows(settings: Settings):
    """Every pool's members, one row per trial (what `evidence pools` writes)."""
    from .present.tables import pool_members_table

    return pool_members_table(_workspace(settings).assessments())


def cmd_pools(args, settings: Settings) -> int:
    from .files import atomic_write

    if args.out:
        _refuse_project_input(settings, args.out, "--out")
    frame = pool_rows(settings)
    text = frame.to_csv(index=False, lineterminator="\n")
    if args.out:
        atomic_write(args.out, text.encode("utf-8"))
        pools = frame[["claim", "window", "measure"]].drop_duplicates()
        print(f"wrote {len(frame)} trial rows of {len(pools)} pool(s) to {args.out}")
    else:
        sys.stdout.write(text)
    return 0



def _fail_on(text: str | None) -> int | None:
    """The rank (in VERDICTS order) at and below which `check` fails, from a comma-separated list of verdicts."""
    from .errors import InputError
    from .vocab import VERDICTS

    if not text:
        return None
    named = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [v for v in named if v not in VERDICTS]
    if unknown or not named:
        raise InputError(f"--fail-on {text!r}: {', '.join(unknown) or 'nothing'} is not a verdict. "
                         f"Fix: name verdicts from {', '.join(VERDICTS)}.")
    return min(VERDICTS.index(v) for v in named)


def cmd_check(args, settings: Settings) -> int:
    from .present.exports import key_studies
    from .vocab import VERDICTS

    threshold = _fail_on(args.fail_on)
    workspace = _workspace(settings)
    if args.claim:
        workspace.claim(args.claim)  # an unknown id lists the valid ones before anything is assessed
    _require_fitting_wordings(workspace)
    rows = check_rows(workspace)
    assessments = {a.claim.claim_id: a for a in workspace.assessments()}
    if args.claim:
        claim = workspace.claim(args.claim)
        rows = [r for r in rows if r["claim_id"] == claim.claim_id]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif args.claim:
        claim_id = rows[0]["claim_id"]
        wording = workspace.project.wording.get(claim_id, "")
        _print_claim(assessments[claim_id], rows[0], key_studies(assessments[claim_id]), wording,
                     workspace.project.ratings)
    else:
        table = pd.DataFrame([{
            "claim": r["claim_id"], "verdict": r["verdict"] + (f" {OVERRIDE_LABEL}" if r["override"] else ""),
            "certainty": r["certainty"], "statement": _short(r["statement"], 60),
            "key studies": "; ".join(s.label for s in key_studies(assessments[r["claim_id"]])),
        } for r in rows])
        _print_frame(table)
    failing = [r["claim_id"] for r in rows if threshold is not None and VERDICTS.index(r["verdict"]) >= threshold]
    if failing:
        print(f"evidence: {len(failing)} claim(s) at or below '{VERDICTS[threshold]}': {', '.join(failing)}",
              file=sys.stderr)
        return EXIT_FAIL_ON
    return 0


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _print_claim(assessment, row: dict, studies, wording: str = "", ratings=()) -> None:
    from .judge.wording import glossary
    from .present.sections import basis_summary

    claim = assessment.claim
    meaning = glossary()[assessment.verdict]
    print(f"{claim.claim_id} · {claim.section}\n")
    print(f"The article says: {claim.quote}")
    print(f"Testable statement: {claim.statement}\n")
    print(f"Verdict: {row['verdict']}{' ' + OVERRIDE_LABEL if row['override'] else ''} · certainty {row['certainty']}")
    if row["override"]:
        print(f"  Suggested by the rules (before the curator's override): {row['suggested']}")
    print(f"  What it means: {meaning.meaning}")
    print(f"  A writer may say: {meaning.writer_may_say}")
    print(f"  Why: {assessment.verdict_reason}")
    print(f"  Rests on: {basis_summary(assessment)}")
    if assessment.direction:
        print(f"  Direction: {assessment.direction}. {assessment.direction_reason}")
    pool = assessment.synthesis.pool if assessment.synthesis else None
    if pool is not None:
        from .present.sections import method_line

        print(f"  Our pool: {method_line(pool)}" + ("" if pool.robust else
              "; not robust: the conclusion changes " + "; ".join(r.label for r in pool.flipped)))
    for domain in assessment.domains:
        print(f"  - {domain.name} (-{domain.levels}): {' '.join(domain.reasons)}")
    if row["authorities"]:
        print("\nWhat the authorities conclude:")
        for a in row["authorities"]:
            print(f"  - {a['body']} {a['year'] or ''}: {a['position']}. {a['summary']}")
    consensus = next((r for r in ratings if r.claim_id == claim.claim_id and r.rater == "consensus"), None)
    if consensus is not None:
        agrees = "agrees" if consensus.verdict == assessment.suggested else "DISAGREES"
        print(f"\nIndependent review {agrees}: two blind raters, reconciled by a third, reached {consensus.verdict} at "
              f"{consensus.certainty} certainty.")
    if wording:
        print(f"\nWhat can be said: {wording}")
    print("\nKey studies to cite:")
    for study in studies:
        print(f"  - {study.first_author} {study.year}, {study.journal}. {study.title} {study.link}")


def _chosen_assessments(workspace, claim_id: str | None) -> list:
    """Every claim's assessment, or only ``claim_id``'s (an unknown id lists the valid ones)."""
    if claim_id:
        claim = workspace.claim(claim_id)
        return [a for a in workspace.assessments() if a.claim.claim_id == claim.claim_id]
    return workspace.assessments()


def _write_or_print(text: str, out: Path | None, what: str) -> None:
    from .files import atomic_write

    if out:
        atomic_write(out, text.encode("utf-8"))
        print(f"wrote {what} to {out}")
    else:
        sys.stdout.write(text)


def cmd_cite(args, settings: Settings) -> int:
    from .present.exports import cite, studies_for

    if args.out:
        _refuse_project_input(settings, args.out, "--out")
    workspace = _workspace(settings)
    studies = studies_for(_chosen_assessments(workspace, args.claim))
    _write_or_print(cite(studies, args.format, workspace.project.citations), args.out, f"{len(studies)} references")
    return 0


def cmd_claimreview(args, settings: Settings) -> int:
    from .present.claimreview import claim_reviews

    if args.out:
        _refuse_project_input(settings, args.out, "--out")
    workspace = _workspace(settings)
    reviews = claim_reviews(_chosen_assessments(workspace, args.claim), project=workspace.project.config,
                            wording=workspace.project.wording)
    text = json.dumps(reviews if not args.claim else reviews[0], indent=2, ensure_ascii=False) + "\n"
    _write_or_print(text, args.out, f"{len(reviews)} ClaimReview(s)")
    return 0


def cmd_brief(args, settings: Settings) -> int:
    from .errors import InputError
    from .files import atomic_write
    from .present.brief import find_chromium, print_pdf
    from .present.report import BRIEF_PDF, brief_page
    from .present.workspace import load_workspace

    if args.out is not None and (args.out.name in ("", ".", "..") or args.out.is_dir()):
        raise InputError(f"--out {args.out} is a folder; it names the PDF to write (the page goes beside it). Fix: "
                         "give a file name, e.g. reports/brief.pdf.")
    html_path = (args.out or settings.root / BRIEF_PDF).with_suffix(".html")
    for path in (html_path, html_path.with_suffix(".pdf")):  # the page is written beside the PDF
        _refuse_project_input(settings, path, "--out")
    site = Path(os.path.relpath(settings.root / "site", html_path.parent.resolve())).as_posix() + "/"
    workspace = load_workspace(settings)
    _require_fitting_wordings(workspace)
    atomic_write(html_path, brief_page(workspace, site_prefix=site).encode("utf-8"))
    print(f"wrote {settings.display_path(html_path)}")
    if args.html_only:
        return 0
    chromium = find_chromium(settings.chromium)
    if chromium is None:
        raise ConfigurationError("Chromium was not found, so the brief cannot be printed to PDF. Fix: install it "
                                 "(Debian: apt-get install chromium), set EVIDENCE_CHROMIUM to its path, or use "
                                 "--html-only and print the page from a browser.")
    pdf = print_pdf(html_path, html_path.with_suffix(".pdf"), chromium=chromium)
    print(f"wrote {settings.display_path(pdf)}")
    return 0


def cmd_packet(args, settings: Settings) -> int:
    from .present.packet import write_packet

    _refuse_project_folder(settings, args.out, "--out")
    written = write_packet(load_project(settings.root), args.out)
    print(f"wrote the blind review packet ({len(written) - 1} claims, no verdicts) to {args.out}; raters record their "
          "judgements in data/ratings.csv (claim_id, rater, verdict, certainty, reasons)")
    return 0


def cmd_init(args) -> int:
    from .errors import InputError
    from .scaffold import NOT_MAPPED, init_project, map_project

    if args.map is not None:
        if args.article is not None:
            raise InputError("--map takes only the project's folder. Fix: run `evidence init --map FOLDER`.")
        ignored = [option for option, value in (("--title", args.title), ("--snapshot-date", args.snapshot_date))
                   if value is not None]
        if ignored:
            raise InputError(f"{' and '.join(ignored)} set up a new project, and --map works on an existing one "
                             f"(its evidence.toml holds them). Fix: drop {' and '.join(ignored)}, or edit the "
                             "project's evidence.toml.")
        result = map_project(args.map)
        kept = f"; {len(result.kept)} claim(s) whose query you changed kept it ({', '.join(result.kept)})" \
            if result.kept else ""
        print(f"mapped the MeSH terms of {result.drafts} drafts in {args.map}{kept}.")
    else:
        if args.article is None or args.folder is None:
            raise InputError("evidence init needs the article and a new folder. Fix: run "
                             "`evidence init ARTICLE.txt FOLDER` (or `evidence init --map FOLDER` for a project).")
        result = init_project(args.article, args.folder, title=args.title, snapshot=args.snapshot_date)
        print(f"created {args.folder}: {result.sentences} sentences read, {result.drafts} drafted as claims "
              f"({len(result.files)} files).")
        if not result.mapped:
            print(f"MeSH terms: {NOT_MAPPED.replace('this folder', str(args.folder))}.")
        print(f"Next: cd {args.folder} && python3 tasks.py report; then rewrite the drafts in claims.csv "
              "(README.md there says how).")
    for flag in result.flags:
        print(f"flagged {flag}")
    return 0


def cmd_screen(args, settings: Settings) -> int:
    import dataclasses
    import datetime as dt

    from .errors import CacheMissError
    from .screening import (ScreeningLog, apply_decisions, gather_claim, manual_decision, read_export,
                            refuse_contradictions, screening_files_locked, stopping_advice, write_candidates)
    from .screening.interop import export_asreview, new_labels, read_asreview

    _refuse_contradictory_screen_options(args, settings)
    with screening_files_locked(settings.root):  # read whole: no other run between writing two of the files
        project = load_project(settings.root)
        log = ScreeningLog.load(settings.root, [c.claim_id for c in project.claims])
    register = project.register
    claim = project.claim(args.claim_id)
    client = PubMed(settings, progress=_progress, snapshot_date=project.config.snapshot_date)
    today = dt.date.today()
    decisions = [(f"{args.import_file.name}, line {d.line}", (d, stance, rationale))
                 for d, stance, rationale in (read_export(args.import_file, log.claim_ids, today=today)
                                              if args.import_file else [])]
    unchanged = 0
    if args.asreview_import:
        # what the claim already holds: the register's studies count as included, the log's decisions as logged
        earlier = {s.pmid: "include" for _, s in register.for_claim(claim.claim_id) if s.pmid}
        earlier |= {d.pmid: d.decision for d in log.for_claim(claim.claim_id)}
        labels, unchanged = new_labels(read_asreview(args.asreview_import, claim.claim_id, log.claim_ids,
                                                     today=today), earlier)
        decisions += [(f"{args.asreview_import.name}", (d, "", "")) for d in labels]
    manual = []
    for pmid, kind in ((args.include, "include"), (args.exclude, "exclude"), (args.maybe, "maybe")):
        if pmid:
            # each option carries only its own details: --reason is the exclusion's, --stance and --rationale the
            # inclusion's
            details = {"exclude": {"reason": args.reason or ""},
                       "include": {"stance": args.stance or "", "rationale": args.rationale or ""}}.get(kind, {})
            manual.append((f"--{kind} {pmid}", manual_decision(claim.claim_id, pmid, kind, **details,
                                                               claim_ids=log.claim_ids, today=today)))
    forced = _unknown_pmids([d.pmid for _, (d, _, _) in manual], claim, client, register, log, force=args.force)
    decisions += [(source, (dataclasses.replace(d, forced=d.pmid in forced), stance, rationale))
                  for source, (d, stance, rationale) in manual]
    refuse_contradictions(decisions)  # before anything is fetched or written
    if decisions:
        chosen = [decision for _, decision in decisions]
        included = [d.pmid for d, _, _ in chosen if d.decision == "include"]
        # the included records only (a handful): no progress line, so a failure to fetch them is one line alone
        quiet = PubMed(settings, progress=lambda message: None, snapshot_date=project.config.snapshot_date)
        records = quiet.fetch(included).records if included else {}
        log = apply_decisions(settings.root, log.claim_ids, chosen, records)
        print(f"recorded {len(chosen)} decision(s) in data/screening.csv"
              + (f" ({len(forced)} forced: {', '.join(sorted(forced))})" if forced else "")
              + (f"; {unchanged} ASReview label(s) agreed with the decision already recorded and changed nothing"
                 if unchanged else ""))
    elif unchanged:
        print(f"every ASReview label ({unchanged}) agreed with the decision already recorded: nothing changed")
        with screening_files_locked(settings.root):
            register = load_project(settings.root).register
    try:
        gathered = gather_claim(claim, client, register, log, progress=_progress)
    except CacheMissError as miss:
        print(f"{claim.claim_id}: the snapshot holds no live search ({miss.path}); "
              f"{len(log.for_claim(claim.claim_id))} decision(s) in the screening log.", file=sys.stderr)
        for decision in log.for_claim(claim.claim_id):
            print(f"  {decision.pmid}  {decision.decision:8} {decision.reason}"
                  + ("  (forced)" if decision.forced else ""))
        return 0
    result, found, ranking = gathered.result, gathered.candidates, gathered.ranking
    report = settings.root / "reports" / "candidates" / f"{claim.claim_id}.csv"
    write_candidates(report, found)
    if args.export:
        write_candidates(args.export, found)
        print(f"wrote {len(found)} candidates to {args.export}: fill decision (include/exclude/maybe), reason, "
              f"stance and rationale, then run `evidence screen {claim.claim_id} --import` on it")
    if args.asreview_export:
        count = export_asreview(args.asreview_export, list(gathered.records.values()), dict(gathered.sequence))
        print(f"wrote {count} records to {args.asreview_export} for ASReview LAB ({len(gathered.sequence)} labelled "
              f"as prior knowledge); export its results and run `evidence screen {claim.claim_id} "
              "--asreview-import` on them")
    print(f"{claim.claim_id}: {result.count} hits, {len(found)} not yet screened (all in "
          f"{settings.display_path(report)}); the best {min(args.limit, len(found))}:")
    if ranking.basis == "learned":
        print(f"ranked by a model trained on this claim's {ranking.relevant} relevant and {ranking.irrelevant} "
              "excluded record(s) (TF-IDF and logistic regression); scores are its probabilities of relevance")
    else:
        print("ranked by text relevance to the claim (BM25F, phrases, PICO facets); the model takes over once the "
              "claim has one relevant (include or maybe) and one excluded record")
    for rank, c in enumerate(found[: args.limit], start=1):
        print(f"{rank:3}. {c.score:.2f}  PMID {c.pmid}  {c.year or '----'}  {c.design:18} {c.title[:90]}")
        if c.conclusion:
            print(f"       conclusion: {c.conclusion[:150]}")
    hits = len(result.ids) or result.count
    advice = stopping_advice([relevant for _, relevant in gathered.sequence], max(hits, len(gathered.sequence)))
    print(f"{advice.found} relevant among {advice.screened} screened; {advice.sentence()}")
    return 0


def _refuse_contradictory_screen_options(args, settings: Settings) -> None:
    """Options of one `screen` call that contradict each other are refused before anything is read or written."""
    from .errors import InputError

    given = {kind: getattr(args, kind) for kind in ("include", "exclude", "maybe") if getattr(args, kind)}
    by_pmid: dict[str, list[str]] = {}
    for kind, pmid in given.items():
        try:
            pmid = normalize_pmid(pmid)
        except InputError:
            pmid = pmid.strip()  # not a PMID: manual_decision says so, once the options agree
        by_pmid.setdefault(pmid, []).append(kind)
    for pmid, kinds in by_pmid.items():
        if len(kinds) > 1:
            raise InputError(f"{' and '.join('--' + k for k in kinds)} name the same record ({pmid}); one record gets "
                             "one decision. Fix: keep the option you mean; nothing was recorded.")
    scoped = (("reason", "exclude", "the reason for an exclusion"), ("stance", "include", "an inclusion's stance"),
              ("rationale", "include", "an inclusion's rationale"))
    for option, needs, what in scoped:
        if getattr(args, option) and needs not in given:
            raise InputError(f"--{option} is {what}, but no --{needs} PMID is given. Fix: add --{needs} PMID, or drop "
                             f"--{option}; nothing was recorded.")
    if args.force and not given:
        raise InputError("--force records a PMID given with --include, --exclude or --maybe, and none is given. Fix: "
                         "drop --force.")
    files = [("--import", args.import_file), ("--asreview-import", args.asreview_import),
             ("--export", args.export), ("--asreview-export", args.asreview_export)]
    named = [(option, path.resolve()) for option, path in files if path is not None]
    for i, (option, path) in enumerate(named):
        for other, same in named[i + 1:]:
            if path == same:
                raise InputError(f"{option} and {other} name the same file ({settings.display_path(path)}); the "
                                 "export would overwrite what is read. Fix: give each its own file.")
    for option, path in files[2:]:
        if path is not None:
            _refuse_project_input(settings, path, option)


def _unknown_pmids(pmids: Sequence[str], claim, client, register, log, *, force: bool) -> set[str]:
    """The PMIDs among ``pmids`` that neither the claim's search (as the snapshot holds it), the register nor the
    claim's screening log holds: refused, as a likely typo, unless ``force`` (then returned, to be marked)."""
    from .errors import CacheMissError, InputError

    known = {s.pmid for s in register.studies.values() if s.pmid} | log.screened(claim.claim_id)
    unknown = [p for p in dict.fromkeys(pmids) if p not in known]
    if not unknown:
        return set()
    try:
        result = client.search(claim.search_query)
        hits, where = set(result.ids), f"{claim.claim_id}'s {result.count:,} search hits"
    except CacheMissError:
        hits, where = set(), (f"the register (the snapshot holds no search for {claim.claim_id} to check it "
                              "against; with network, EVIDENCE_MODE=cached runs the search)")
    unknown = [p for p in unknown if p not in hits]
    if unknown and not force:
        raise InputError(f"PMID {', '.join(unknown)} is not among {where}, nor in the register; it may be a typo. "
                         f"Fix: check the PMID (`evidence screen {claim.claim_id}` lists the candidates), or add "
                         "--force to record it anyway (the log marks it forced); nothing was recorded.")
    return set(unknown)


def _refuse_project_input(settings: Settings, path: Path, option: str) -> None:
    """An output option names a file, not a folder, and not the project's own inputs (claims.csv, evidence.toml,
    groups.csv) or anything in data/ or rules/: the export would overwrite, or mix with, what every verdict is computed
    from. Checked before any work, so a bad path never costs a run."""
    from .errors import InputError

    root = Path(settings.root).resolve()
    target = Path(path).resolve()
    inputs = {root / "claims.csv", root / "evidence.toml", root / "notebooks" / "groups.csv"}
    folders = (root / "data", root / "rules")
    if target in inputs or any(target == f or f in target.parents for f in folders):
        raise InputError(f"{option} {path} would write into the project's inputs ({settings.display_path(target)}). "
                         f"Fix: write it elsewhere, e.g. reports/{target.name}.")
    if target.is_dir():
        raise InputError(f"{option} {path} is a folder; it names the file to write. Fix: give a file name, for "
                         "example one inside that folder.")


def _refuse_project_folder(settings: Settings, path: Path, option: str) -> None:
    """A folder an option fills must be neither the project's root nor one of its input folders."""
    from .errors import InputError

    root = Path(settings.root).resolve()
    target = Path(path).resolve()
    if target in (root, root / "notebooks", root / "data", root / "rules") or any(
            f in target.parents for f in (root / "data", root / "rules")):
        raise InputError(f"{option} {path} is the project's own folder ({settings.display_path(target) or '.'}); "
                         "files written there would overwrite or mix with its inputs. Fix: name a new folder, e.g. "
                         "reports/packet.")


def cmd_update(args, settings: Settings) -> int:
    import datetime as dt

    from tqdm import tqdm

    from .files import atomic_write
    from .screening import update

    from .errors import InputError

    if args.report:
        _refuse_project_input(settings, args.report, "--report")
    project = load_project(settings.root)
    until = args.until or dt.date.today()
    if until <= project.config.snapshot_date:
        raise InputError(f"--until {until:%Y/%m/%d} is not after the snapshot date "
                         f"{project.config.entrez_date} (evidence.toml): an update looks for what was added since. "
                         "Fix: give a later date, or leave --until out (today).")
    if settings.mode == "offline":
        raise ConfigurationError("update needs the network. Fix: set NCBI_EMAIL and run with EVIDENCE_MODE=cached "
                                 "or live.")
    import dataclasses

    # an update asks PubMed itself: a cached answer for the same window would hide what was added since
    client = PubMed(dataclasses.replace(settings, mode="live"), progress=lambda message: None)
    report = update(project.claims, client, snapshot=project.config.snapshot_date, until=until,
                    progress=lambda items: tqdm(items, desc="searches", unit="claim", file=sys.stderr, leave=False))
    path = args.report or settings.root / "reports" / "update.md"
    atomic_write(path, report.markdown().encode("utf-8"))
    total = sum(len(v) for v in report.added.values())
    print(f"{total} record(s) added since the snapshot; claims whose verdict could move: "
          f"{', '.join(report.flagged) or 'none'}; written to {settings.display_path(path)}")
    return 0


def _iso_date(text: str):
    """An argparse type: a YYYY-MM-DD date, or the usage error argparse prints in one line."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-01-31") from None


def _entrez_date(text: str):
    """An argparse type: a YYYY/MM/DD date (E-utilities' form), or argparse's one-line usage error."""
    import datetime as dt

    try:
        return dt.datetime.strptime(text.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY/MM/DD, e.g. 2026/12/01") from None


def _path(text: str) -> Path:
    """An argparse type: a path the file system can take (not empty, no NUL character), or a one-line usage error."""
    if not text.strip() or "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a usable path (it is empty or holds a NUL character)")
    return Path(text)


def _named(text: str) -> str:
    """An argparse type: a value that names something (a claim id, a group, verdicts, a PMID, a reason), not an empty
    one (an unset shell variable would otherwise select everything, or nothing, without a word)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("it is empty; give a value (is a shell variable unset?)")
    return text


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, or a one-line usage error."""
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


class UsageError(Exception):
    """A bad option or value on the command line (argparse's complaint, said in one line by ``main``)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option or value raises ``UsageError`` instead of printing the usage and exiting, so that
    ``main`` says it in one line like every other error (its subcommands' parsers are of this class too)."""

    def error(self, message: str):
        raise UsageError(f"{message} ({self.prog}). Fix: see `{self.prog} --help`.")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="evidence", description="Check an article's claims against PubMed.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request (keys masked)")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="validate, generate and execute the notebooks, build the book")
    report.add_argument("notebooks", nargs="*", type=_path, help="execute only these notebooks (default: all)")
    report.add_argument("--force", action="store_true", help="redo every step, even those whose inputs did not change")
    report.set_defaults(run=cmd_report)
    notebooks = sub.add_parser("notebooks", help="generate the group notebooks from claims.csv")
    notebooks.set_defaults(run=cmd_notebooks)
    claims = sub.add_parser("claims", help="list the claims of claims.csv")
    claims.add_argument("--group", type=_named, help="only this group (notebook)")
    claims.set_defaults(run=cmd_claims)
    search = sub.add_parser("search", help="run or replay a claim's PubMed search")
    search.add_argument("claim_id", type=_named)
    search.add_argument("--show", type=_positive_int, default=20, help="how many PMIDs to list (default 20)")
    search.set_defaults(run=cmd_search)
    register = sub.add_parser("register", help="validate the evidence register")
    register.add_argument("--summary", action="store_true", help="counts per claim, stance and design")
    register.set_defaults(run=cmd_register)
    refresh = sub.add_parser("refresh", help="fetch the register's records from PubMed, report mismatches (title, "
                                             "year, journal, DOI and the citations' authors, volume, issue, pages, "
                                             "PMCID)",
                             description="Fetch every registered study's PubMed record (EVIDENCE_MODE=cached resumes "
                                         "from the cache, live fetches anew; offline cannot refresh) and write each "
                                         "disagreement with the register to the report: title, year, journal, DOI, "
                                         "PMCID, and data/citations.csv's authors (the first 20, then et al.), "
                                         "author_count, volume, issue and pages. The fields the register leaves "
                                         "empty are only counted, unless --fill-citations is given.")
    refresh.add_argument("--report", type=_path, help="where to write the CSV report (default reports/refresh.csv)")
    refresh.add_argument("--fill-citations", action="store_true",
                         help="write what PubMed gives into the fields data/citations.csv leaves empty (authors, "
                              "author_count, volume, issue, pages; a new row, sourced to the PubMed page, for a study "
                              "without one) and into empty pmcids of data/studies.csv; never overwrites a value")
    refresh.set_defaults(run=cmd_refresh)
    check = sub.add_parser("check", help="the verdict per claim")
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.add_argument("--claim", type=_named, help="one claim in full")
    check.add_argument("--fail-on", type=_named,
                       help="comma-separated verdicts; exit 3 when any claim is at or below them "
                            "(e.g. weak,unsupported,contradicted)")
    check.set_defaults(run=cmd_check)
    pools = sub.add_parser("pools", help="every pool's per-trial rows, for metafor (escalc/rma) or RevMan")
    pools.add_argument("--out", type=_path, help="write the CSV to this file (default: standard output)")
    pools.set_defaults(run=cmd_pools)
    cite = sub.add_parser("cite", help="the studies behind a claim or the article, as RIS, BibTeX or CSL-JSON")
    cite.add_argument("--claim", type=_named, help="only this claim's studies (default: the whole article)")
    cite.add_argument("--format", choices=("ris", "bibtex", "csljson"), default="ris")
    cite.add_argument("--out", type=_path, help="write to this file (default: standard output)")
    cite.set_defaults(run=cmd_cite)
    init = sub.add_parser("init", help="a new project folder for another article, with draft claims")
    init.add_argument("article", type=_path, nargs="?", help="the article as plain text")
    init.add_argument("folder", type=_path, nargs="?", help="the new project's folder (new or empty)")
    init.add_argument("--map", type=_path, metavar="FOLDER", help="with network: map the MeSH terms of the drafts of "
                                                                 "the project in FOLDER and count each draft query")
    init.add_argument("--title", help="the project's title (default: from the article's file name)")
    init.add_argument("--snapshot-date", type=_iso_date, help="the Entrez date the project's searches are frozen at, "
                                                              "YYYY-MM-DD (default today)")
    init.set_defaults(run=cmd_init, needs_settings=False)
    packet = sub.add_parser("packet", help="a blind review packet: each claim's evidence without the engine's verdicts")
    packet.add_argument("--out", type=_path, required=True, help="the folder to write it into")
    packet.set_defaults(run=cmd_packet)
    review = sub.add_parser("claimreview", help="schema.org ClaimReview JSON-LD for every claim, or one")
    review.add_argument("--claim", type=_named, help="only this claim (one object instead of a list)")
    review.add_argument("--out", type=_path, help="write to this file (default: standard output)")
    review.set_defaults(run=cmd_claimreview)
    brief = sub.add_parser("brief", help="the writer's brief as HTML and, through headless Chromium, PDF")
    brief.add_argument("--out", type=_path,
                       help="the PDF to write (default reports/brief.pdf; the HTML goes beside it)")
    brief.add_argument("--html-only", action="store_true", help="write the HTML page only")
    brief.set_defaults(run=cmd_brief)
    screen = sub.add_parser("screen", help="rank a claim's unscreened PubMed hits; record screening decisions")
    screen.add_argument("claim_id", type=_named)
    screen.add_argument("--limit", type=_positive_int, default=10, help="how many candidates to list (default 10)")
    screen.add_argument("--include", metavar="PMID", type=_named,
                        help="include this record (with --stance and --rationale)")
    screen.add_argument("--stance", type=_named, help="supports, mixed, contrasts or context")
    screen.add_argument("--rationale", type=_named, help="one sentence in your own words: why this stance")
    screen.add_argument("--exclude", metavar="PMID", type=_named, help="exclude this record (with --reason)")
    screen.add_argument("--reason", type=_named, help="a PRISMA 2020 reason from rules/exclusion_reasons.csv")
    screen.add_argument("--maybe", metavar="PMID", type=_named, help="keep this record for a second look")
    screen.add_argument("--force", action="store_true",
                        help="record a PMID that neither the claim's search nor the register holds (marked forced)")
    screen.add_argument("--export", type=_path, help="write every candidate to this CSV for screening")
    screen.add_argument("--import", dest="import_file", type=_path, help="read decisions back from such a CSV")
    screen.add_argument("--asreview-export", type=_path, metavar="FILE",
                        help="write every hit for ASReview LAB (.csv or .ris), decisions so far as its prior labels")
    screen.add_argument("--asreview-import", type=_path, metavar="FILE",
                        help="record the labels of ASReview LAB's export (.csv or .ris): relevant as maybe, "
                             "irrelevant as excluded on title and abstract")
    screen.set_defaults(run=cmd_screen)
    upd = sub.add_parser("update", help="re-run every search past the snapshot date and report what is new")
    upd.add_argument("--until", type=_entrez_date, help="the new Entrez date, YYYY/MM/DD (default today)")
    upd.add_argument("--report", type=_path, help="where to write the report (default reports/update.md)")
    upd.set_defaults(run=cmd_update)
    return parser


# Exit codes (the README lists them): what went wrong decides the number, so scripts can tell them apart.
EXIT_OK, EXIT_USER, EXIT_FAIL_ON, EXIT_FILES, EXIT_BUG, EXIT_INTERRUPTED = 0, 2, 3, 4, 5, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; every failure ends in one line on standard error and an exit code, never a traceback (``-v``
    adds the traceback for a bug report)."""
    if hasattr(sys.stdout, "reconfigure"):  # a path or value given with bytes that are not UTF-8 prints escaped
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(argv)
    except UsageError as error:
        return _fail(str(error), EXIT_USER)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        if not getattr(args, "needs_settings", True):  # init runs outside any project
            return args.run(args)
        return args.run(args, Settings.from_env())
    except LockError as error:  # another run is writing the file: the file system's state, not the user's input
        return _fail(f"{error}", EXIT_FILES)
    except EvidenceError as error:
        return _fail(f"{error}", EXIT_USER)
    except UnicodeDecodeError as error:
        return _fail(f"a file is not UTF-8 text ({error.reason} at byte {error.start}). Fix: save it as UTF-8, or "
                     "give the plain-text file rather than a binary one.", EXIT_USER)
    except BrokenPipeError:  # e.g. `evidence check | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return EXIT_OK
    except OSError as error:  # a read-only folder, a missing path, a full disk
        where = f": {error.filename}" if error.filename else ""
        return _fail(f"the file system refused ({error.strerror or error}{where}). Fix: check that the path exists "
                     "and that its folder is writable, then run again.", EXIT_FILES)
    except KeyboardInterrupt:
        return _fail("interrupted; what was fetched is cached and every file written is whole, so running again "
                     "resumes.", EXIT_INTERRUPTED)
    except Exception as error:  # a bug: say so in one line; -v shows where
        if args.verbose:
            raise
        return _fail(f"internal error ({type(error).__name__}: {error}). This is a bug in evidence; run again with "
                     "-v for the traceback and report it.", EXIT_BUG)


# What would break the one line of an error: line breaks of every kind and other control characters, which a
# message may carry from an option's value or a file; shown escaped (\n, \x00), as Python's repr shows them.
_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def _fail(message: str, code: int) -> int:
    message = _BREAKS.sub(lambda found: repr(found.group())[1:-1], message)
    print(f"evidence: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
