"""Escape by construction: hostile text (markup, Markdown, MyST syntax, script-closing sequences, line breaks) fed
through every renderer of the notebooks, the book, the writer's brief, ClaimReview and the exports comes out as text.

Markdown is rendered with the parser the book uses (MyST's markdown-it, raw HTML allowed), and every HTML result is
compared with the same renderer's result for plain text: the elements and their attributes must be the same, and
the hostile text must appear among the page's text. Exports must read back as the same number of records with the
same fields, and no spreadsheet cell may start a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from evidence.errors import InputError
from evidence.export_fields import bibtex_value, formula_starts, csv_cell, csv_value, one_line, ris_value
from evidence.judge.verdict import assess_project
from evidence.present.book import front_page
from evidence.present.brief import render_brief
from evidence.present.claimreview import claim_reviews, jsonld_script
from evidence.present.escape import html_link, link_target, md, md_code, md_link, md_text
from evidence.present.exports import cite
from evidence.present.notebook import (GroupPage, _claim_cells, contents_card, render_group_notebook,
                                       render_overview_notebook)
from evidence.present.references import references, render_references
from evidence.present.sections import authorities_card, claim_card, pool_card, screening_card, search_card, verdict_card
from evidence.present.style import style_evidence, style_verdict_matrix
from evidence.present.tables import evidence_table, verdict_matrix
from evidence.register.project import load_project
from evidence.screening import Candidate, Decision

PROJECT = load_project(ROOT)
ASSESSMENTS = {a.claim.claim_id: a for a in assess_project(PROJECT)}
NOTEBOOKS = [ROOT / "notebooks" / f"{g.stem}.ipynb" for g in PROJECT.groups]
PAYLOAD = "<img src=x onerror=alert(1)>"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hostile_texts = st.one_of(
    st.sampled_from([
        PAYLOAD, "</script><script>alert(1)</script>", "<!-- x", "]]>", "[x](javascript:alert(1))",
        "<a href=javascript:alert(1)>x</a>", "{raw}`<b>x</b>`", "```{raw} html\n<b>x</b>\n```", ":::{note}\nx\n:::",
        "(target)=", "% comment", "$x$", "&lt;img src=x&gt;", "a | b | c", "# heading", "- item", "1. item", "> quote",
        "*em* _em_ **strong**", "\\", "`code`", "``", "line\nbreak\r\nand\u2028more", "{{ x }}", "=HYPERLINK(\"x\")",
        "} , note = {forged", "title}\nER  - \nTY  - JOUR", "@misc{x, title={y}}", "\\input{/etc/passwd}",
        "50% & #1 $_^~",
    ]),
    st.lists(st.sampled_from(list("<>&\"'`*_[](){}#|!~$^%:=+-@\\/\n\t ;.,ab1") + ["img", "script", "src=x"]),
             min_size=1, max_size=25).map("".join),
).filter(lambda text: one_line(text) != "")


class Page(HTMLParser):
    """What an HTML text is made of: its elements with their attribute names, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple] = []
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.shape.append(("start", tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes += [(name, value or "") for name, value in attrs]
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.shape.append(("end", tag))
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.texts).append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.texts).split())


def markdown_html(text: str) -> str:
    """Markdown as the book renders it: MyST's markdown-it with the book's extensions, raw HTML allowed."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML).render(text)


def claim_with(text: str, claim_id: str = "C13"):
    claim = PROJECT.claim(claim_id)
    return dataclasses.replace(claim, section=text, quote=text, statement=text, population=text,
                               intervention=text, comparator=text, outcome=text, query=text)


def assessment_with(text: str, claim_id: str = "C13"):
    """A real assessment with every free text in it (the claim's, the studies', the evidence rows', the
    authorities', the reasons) replaced by ``text``."""
    a = ASSESSMENTS[claim_id]
    evidence = tuple((dataclasses.replace(row, outcome_measured=text, follow_up=text, effect=text, rationale=text),
                      dataclasses.replace(study, first_author=text, title=text, journal=text), design)
                     for row, study, design in a.evidence)
    authorities = tuple(dataclasses.replace(x, body=text, document=text, strength=text, summary=text)
                        for x in a.authorities)
    return dataclasses.replace(a, claim=claim_with(text, claim_id), evidence=evidence, authorities=authorities,
                               verdict_reason=text, gaps=(text,))


def renderers(text: str) -> dict[str, str]:
    """Every renderer's HTML for ``text`` placed in every free-text field it shows."""
    a = assessment_with(text)
    project = dataclasses.replace(PROJECT, groups=tuple(dataclasses.replace(g, title=text, intro=text)
                                                       for g in PROJECT.groups))
    page = GroupPage(1, "efficacy", text, text, (a.claim,))
    links = {a.claim.claim_id: "03-efficacy.html#claim-C13"}
    review = tuple(dataclasses.replace(r, reason=text, criterion=text) for r in PROJECT.review[:2])
    candidate = Candidate("C13", "12345678", text, text, 2020, "rct", 0.5, text)
    decision = Decision("C13", "12345678", "exclude", text, text)
    study = a.evidence[0][1]
    return {
        "claim card": markdown_html(claim_card(a.claim).data),
        "search card": markdown_html(search_card(a.claim, None).data),
        "screening card": markdown_html(screening_card(None, [decision], [candidate]).data),
        "verdict card": markdown_html(verdict_card(a).data),
        "pool card": markdown_html(pool_card(a).data),
        "authorities card": markdown_html(authorities_card(a).data),
        "claim heading": markdown_html(_claim_cells(a.claim)[0].source),
        "group notebook title": markdown_html(render_group_notebook(page).cells[0].source),
        "overview notebook title": markdown_html(render_overview_notebook(text, text).cells[0].source),
        "contents": markdown_html(contents_card(project).data),
        "evidence table": style_evidence(evidence_table(a), uuid="evidence-C13")._repr_html_(),
        "verdict matrix": style_verdict_matrix(verdict_matrix([a]), links=links)._repr_html_(),
        "front page": markdown_html(front_page(text, NOTEBOOKS, [a], review)),
        "brief": render_brief([a], project=dataclasses.replace(PROJECT.config, title=text, article=text),
                              wording={a.claim.claim_id: text}, review=review, section_links=links),
        "reference": render_references(references([study]), "apa", html=True)[0],
    }


PLAIN = renderers("plain words")


def check_safe(name: str, html: str, plain: str, text: str) -> None:
    page, expected = Page(html), Page(plain)
    assert page.shape == expected.shape, f"{name}: the text {text!r} changed the page's elements"
    assert not [a for a, _ in page.attributes if a.startswith("on")], name
    assert not [v for a, v in page.attributes if a in ("href", "src") and "javascript:" in v.lower()], name
    if name != "reference":  # APA may change a title's case; its elements are checked above
        assert one_line(text) in page.text, f"{name}: {text!r} is not shown as text"


@SETTINGS
@given(text=hostile_texts)
def test_hostile_text_comes_out_as_text_from_every_renderer(text):
    for name, html in renderers(text).items():
        check_safe(name, html, PLAIN[name], text)


def test_the_payload_is_shown_escaped_in_every_renderer():
    rendered = renderers(PAYLOAD)
    for name, html in rendered.items():
        check_safe(name, html, PLAIN[name], PAYLOAD)
        assert "<img" not in html.lower(), name


@SETTINGS
@given(text=hostile_texts)
def test_claimreview_json_in_a_script_element_reads_back_whole(text):
    reviews = claim_reviews([assessment_with(text)], project=dataclasses.replace(PROJECT.config, title=text),
                            wording={"C13": text})
    page = Page(f"<head>{jsonld_script(reviews)}</head>")
    assert [s for s in page.shape if s[1] != "head"] == [("start", "script", ("type",)), ("end", "script")]
    assert json.loads("".join(page.scripts)) == reviews


@pytest.mark.parametrize("target", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>",
                                    "//evil.example/x", "java\tscript:alert(1)", "vbscript:x", "file:///etc/passwd",
                                    "https://", "\\\\evil\\share"])
def test_only_http_addresses_and_pages_of_the_book_become_links(target):
    with pytest.raises(InputError, match="not an http\\(s\\) address"):
        link_target(target)


def test_addresses_are_encoded_where_they_would_end_a_link():
    assert html_link("x", 'https://e.org/a"onclick="b') == '<a href="https://e.org/a%22onclick=%22b">x</a>'
    assert md_link("x", "https://e.org/a)(b<c") == "[x](https://e.org/a%29%28b%3Cc)"
    assert md_link("[y](javascript:z)", "03-efficacy.html#claim-C04") == \
        "[\\[y\\](javascript:z)](03-efficacy.html#claim-C04)"
    assert md_code("a `b` c") == "``a `b` c``" and md("{} {:.1f}", "*", 2.25) == "\\* 2.2"
    assert md_text("1. item") == "1\\. item" and md_text("- item") == "\\- item"


# -- exports -----------------------------------------------------------------------------------------------------
STUDIES = [s for _, s, _ in ASSESSMENTS["C13"].evidence][:3]


def fields_of(bibtex: str) -> list[tuple[str, tuple[str, ...]]]:
    library = bibtexparser.parse_string(bibtex)
    assert not library.failed_blocks
    return [(e.entry_type, tuple(f.key for f in e.fields)) for e in library.entries]


def ris_fields(ris: str) -> list[tuple[str, ...]]:
    return [tuple(sorted(entry)) for entry in rispy.loads(ris)]


@pytest.mark.parametrize("title", ["Ketamine } , note = {forged} , x = {",
                                   "Ketamine\nER  - \n\nTY  - JOUR\nTI  - forged",
                                   "Two\r\nlines\u2028and\u2029more", "@article{forged, title={x}}", "}}}{{{"])
def test_titles_with_braces_or_line_breaks_export_as_the_same_records_and_fields(title):
    hostile = [dataclasses.replace(s, title=title, journal=title) for s in STUDIES]
    assert fields_of(cite(hostile, "bibtex")) == fields_of(cite(STUDIES, "bibtex"))
    assert ris_fields(cite(hostile, "ris")) == ris_fields(cite(STUDIES, "ris"))
    entries = rispy.loads(cite(hostile, "ris"))
    assert [e["title"] for e in entries] == [one_line(title)] * len(STUDIES)
    assert [e["title"] for e in json.loads(cite(hostile, "csljson"))] == [title] * len(STUDIES)


@SETTINGS
@given(text=hostile_texts)
def test_any_title_exports_as_the_same_records_and_fields(text):
    hostile = [dataclasses.replace(s, title=text, journal=text, first_author=text) for s in STUDIES]
    assert fields_of(cite(hostile, "bibtex")) == fields_of(cite(STUDIES, "bibtex"))
    assert ris_fields(cite(hostile, "ris")) == ris_fields(cite(STUDIES, "ris"))


@given(text=st.text(max_size=30))
def test_bibtex_values_keep_braces_paired_and_ris_values_on_one_line(text):
    value = bibtex_value(text)
    depth = 0
    for ch in value:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0 and "\n" not in value and "\\input" not in value
    assert len(ris_value(text).splitlines()) <= 1


@given(text=st.text(max_size=30))
def test_csv_cells_never_start_a_formula_and_read_back(text):
    cell = csv_cell(text)
    out = io.StringIO()
    csv.writer(out).writerow([cell])
    (read,) = csv.reader(io.StringIO(out.getvalue()))
    assert read == [cell] and csv_value(cell) == text
    if cell.startswith(formula_starts()):
        assert float(cell) == float(text)  # only a plain number may start with a sign


def test_the_screening_export_neutralises_formulas(tmp_path):
    from evidence.screening import read_export, write_candidates

    path = tmp_path / "candidates.csv"
    write_candidates(path, [Candidate("C13", "12345678", '=HYPERLINK("http://e.org")', "J", 2020, "rct", 0.5,
                                      "@SUM(1+1)")])
    text = path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    assert read_export(path, {"C13"}, today=PROJECT.config.snapshot_date) == []  # still reads back


# -- the book's raw HTML blocks, built by Sphinx -------------------------------------------------------------------
def _sphinx_build(source, out) -> str:
    from sphinx.cmd.build import build_main

    assert build_main(["-q", "-b", "html", str(source), str(out)]) == 0
    return (out / "index.html").read_text(encoding="utf-8")


def test_a_scorecard_reason_cannot_close_the_front_pages_raw_html_block(tmp_path):
    from evidence.present.book import CONF, DOCUTILS_CONF

    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-OF-A-FILE-ON-THE-BUILD-MACHINE", encoding="utf-8")
    # a reason that ends the fence of the scorecard's raw block, then asks MyST for an rST link, a meta refresh and
    # a file of the machine that builds the book
    reason = ("Costs go unmentioned.\n```\n\n```{eval-rst}\nSee `the trial`__\n\n__ javascript:alert(1)\n\n"
              ".. meta::\n   :http-equiv=refresh: 0;url=https://example.org/\n```\n\n"
              "```{include} ../secret.txt\n```\n\n```{raw} html\n")
    review = tuple(dataclasses.replace(r, reason=reason) for r in PROJECT.review[:1])
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(CONF.format(title="Book"), encoding="utf-8")
    (source / "docutils.conf").write_text(DOCUTILS_CONF, encoding="utf-8")
    (source / "index.md").write_text(front_page("Book", NOTEBOOKS[:1], [ASSESSMENTS["C13"]], review),
                                     encoding="utf-8")
    page = _sphinx_build(source, tmp_path / "out")
    # the text is on the page, but as text: no link to a script, no refresh
    assert not re.search(r"<a [^>]*href=\"javascript:", page) and not re.search(r"<meta [^>]*http-equiv", page)
    assert "SENTINEL-OF-A-FILE" not in page
    assert "Costs go unmentioned." in page and "__ javascript:alert(1)" in page and "&amp;#96;" not in page


def test_the_book_inserts_no_file_of_the_build_machine_whatever_a_page_asks(tmp_path):
    from evidence.present.book import CONF, DOCUTILS_CONF

    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-OF-A-FILE-ON-THE-BUILD-MACHINE", encoding="utf-8")
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(CONF.format(title="Book"), encoding="utf-8")
    (source / "index.md").write_text("# Book\n\n```{include} ../secret.txt\n```\n\n"
                                     "```{literalinclude} ../secret.txt\n```\n", encoding="utf-8")
    # without the book's docutils.conf the directive would insert the file: the setting is what stops it
    assert "SENTINEL-OF-A-FILE" in _sphinx_build(source, tmp_path / "without")
    (source / "docutils.conf").write_text(DOCUTILS_CONF, encoding="utf-8")
    assert "SENTINEL-OF-A-FILE" not in _sphinx_build(source, tmp_path / "with")
