"""`evidence init` on a short article written for the test: the sentences, their cues and the draft claims; the
folder it makes, in which the main command builds the book and prints the brief to PDF, and the project's own
tests (nbval included) pass; and the refusals that protect an existing folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, read_csv

from evidence import cli
from evidence.errors import InputError
from evidence.present.brief import find_chromium
from evidence.register.claims import load_claims
from evidence.scaffold import draft_claims, init_project, sentence_cues, split_sentences

ARTICLE = ROOT / "tests" / "fixtures" / "article-omega3.txt"
EVIDENCE = Path(sys.executable).with_name("evidence")


def test_headings_become_sections_and_lines_split_into_sentences():
    sentences = split_sentences(ARTICLE.read_text(encoding="utf-8"))
    assert [s.section for s in sentences][:3] == ["Fish oil for low mood"] * 3
    assert sentences[2].text.startswith("Studies show that omega-3") and sentences[2].line == 3
    assert {s.section for s in sentences} == {"Fish oil for low mood", "How it works", "Safety"}
    assert sentences[-1].text == "Talk to your doctor." and sentence_cues(sentences[-1].text) == ()


@pytest.mark.parametrize(("sentence", "cues"), [
    ("Studies show that omega-3 supplements reduce depressive symptoms within weeks.",
     {"number", "causal verb", "evidence appeal", "treatment", "outcome"}),
    ("The weather was pleasant on the day we opened.", set()),
    ("Relief came within hours of the first infusion.", {"outcome", "treatment", "speed"}),
])
def test_cues_come_from_the_rule_table(sentence, cues):
    assert set(sentence_cues(sentence)) == cues


def test_drafts_are_sentences_with_two_cues_and_a_suggested_type():
    claims, log = draft_claims(split_sentences(ARTICLE.read_text(encoding="utf-8")))
    assert [c["claim_id"] for c in claims] == ["C01", "C02", "C03", "C04"]
    assert [c["claim_type"] for c in claims] == ["efficacy", "efficacy", "mechanism", "safety"]
    assert all(c["statement"] == f"(draft) {c['quote']}" for c in claims)
    first_line = next(row for row in log if row["line"] == "2")
    assert first_line["claim_id"] == "" and "evidence appeal" in first_line["cues"]  # one flag short of a draft
    assert claims[1]["query"] == "supplements[Title/Abstract] AND depressive[Title/Abstract] AND symptoms[Title/Abstract]"


def test_init_refuses_a_folder_in_use_and_a_missing_article(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"exists and is not empty"):
        init_project(ARTICLE, tmp_path / "used")
    assert (tmp_path / "used" / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(InputError, match=r"no article at"):
        init_project(tmp_path / "missing.txt", tmp_path / "new")
    assert cli.main(["init", str(tmp_path / "missing.txt"), str(tmp_path / "new")]) == 2


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("second") / "omega3"
    assert cli.main(["init", str(ARTICLE), str(folder), "--title", "Checking a fish-oil article"]) == 0
    return folder


def test_the_folder_holds_a_valid_project(project):
    claims = load_claims(project / "claims.csv")
    assert [c.claim_id for c in claims] == ["C01", "C02", "C03", "C04"]
    assert {row["claim_id"] for row in read_csv(project / "sentences.csv")} == {"", "C01", "C02", "C03", "C04"}
    for name in ("studies.csv", "evidence.csv", "screening.csv", "wording.csv", "verdict_overrides.csv"):
        assert len((project / "data" / name).read_text(encoding="utf-8").splitlines()) == 1, name
    assert sorted(p.name for p in (project / "notebooks").glob("*.ipynb")) == [
        "00-overview.ipynb", "01-claims.ipynb", "99-methods.ipynb"]
    tasks = (project / "tasks.py").read_text(encoding="utf-8")
    assert f"PACKAGE = Path({str(ROOT)!r})" in tasks
    assert "python3 tasks.py report" in (project / "README.md").read_text(encoding="utf-8")


def _run(command, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NCBI_"))}
    env.update(EVIDENCE_MODE="offline", PYTHONHASHSEED="0")
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_report_and_the_tests_run_in_the_new_project(project):
    report = _run([str(EVIDENCE), "report"], project)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    assert (project / "site" / "index.html").is_file() and (project / "site" / "brief.html").is_file()
    brief = (project / "site" / "brief.html").read_text(encoding="utf-8")
    assert all(f'id="claim-C0{n}"' in brief for n in range(1, 5))
    if find_chromium() is not None or os.environ.get("CI"):
        from pypdf import PdfReader

        reader = PdfReader(project / "reports" / "brief.pdf")
        text = " ".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) >= 1 and all(f"C0{n}" in text for n in range(1, 5))
    tests = _run([sys.executable, "-m", "pytest", "-q"], project)
    assert tests.returncode == 0, tests.stdout[-3000:]
    assert "passed" in tests.stdout and "failed" not in tests.stdout
