"""records.py on the hand-written fixtures (tests/fixtures/README.md says what each imitates)."""

from __future__ import annotations

import pytest
from support import article_set

from evidence.errors import NCBIError, ParseError
from evidence.sources.records import AuthorName, check_response, parse_esearch, parse_pubmed_xml


@pytest.fixture(scope="module")
def records():
    parsed = parse_pubmed_xml(article_set("99000001", "99000002", "99000003", "99000004", "99000005", "99000010",
                                          "99000011"))
    return {r.pmid: r for r in parsed}


def test_structured_abstract_keeps_labels_categories_and_inline_markup(records):
    trial = records["99000001"]
    assert [(s.label, s.category) for s in trial.abstract] == [
        ("OBJECTIVE", "OBJECTIVE"), ("METHODS", "METHODS"), ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert trial.abstract[1].text == "Participants (n=30) were allocated at random."
    assert trial.abstract[2].text == "The fixture effect was d=1.0 (p<0.05)."
    assert trial.title == "A fixture trial of N-methyl-D-aspartate antagonism with 103 simulated visits."
    assert trial.abstract_text.startswith("OBJECTIVE: Fixture text")


def test_bibliographic_fields(records):
    trial = records["99000001"]
    assert trial.journal == "Fixture Journal of Psychiatry"
    assert trial.year == 2021
    assert trial.authors == ("Fixture A", "Testcase BC")
    assert trial.first_author == "Fixture A"
    # the DOI of a reference in ReferenceList must not be taken for the article's own
    assert trial.doi == "10.9999/fixture.0001"
    assert trial.pmcid == "PMC9900001"


def test_publication_types_stay_ui_name_pairs(records):
    assert records["99000001"].publication_types == (
        ("D016449", "Randomized Controlled Trial"),
        ("D013485", "Research Support, Non-U.S. Gov't"),
    )


def test_mesh_headings_keep_qualifiers_and_major_flags(records):
    ketamine = next(m for m in records["99000001"].mesh if m.descriptor == "Ketamine")
    assert ketamine.ui == "D007649"
    assert ketamine.major is False
    assert ketamine.qualifiers == (("therapeutic use", True), ("adverse effects", False))


def test_nct_ids_from_databank_and_abstract_text(records):
    assert records["99000001"].nct_ids == ("NCT00000001", "NCT00000002")
    assert records["99000002"].nct_ids == ()


def test_unstructured_abstract_medline_date_and_collective_author(records):
    survey = records["99000002"]
    assert [(s.label, s.text) for s in survey.abstract] == [
        ("", "An unstructured fixture abstract, written by hand for the tests.")
    ]
    assert survey.year == 1998
    assert survey.authors == ("Fixture Consortium Study Group", "Example C")
    assert survey.doi == ""


def test_book_article(records):
    chapter = records["99000003"]
    assert chapter.is_book
    assert chapter.title == "Ketamine (fixture chapter)"
    assert chapter.journal == "Fixture Publishing"
    assert chapter.year == 2024
    assert chapter.authors == ("Chapter D",)
    assert chapter.publication_types == (("D016454", "Review"),)


def test_retraction_and_erratum_links(records):
    retracted = records["99000004"]
    assert retracted.retracted
    assert retracted.linked("RetractionIn") == ("99000005",)
    assert retracted.errata == ("99000006",)
    notice = records["99000005"]
    assert not notice.retracted
    assert notice.linked("RetractionOf") == ("99000004",)


def test_records_come_back_in_document_order():
    parsed = parse_pubmed_xml(article_set("99000004", "99000001"))
    assert [r.pmid for r in parsed] == ["99000004", "99000001"]


def test_truncated_xml_is_a_parse_error():
    body = article_set("99000001")
    with pytest.raises(ParseError, match="not well-formed XML"):
        parse_pubmed_xml(body[: len(body) // 2], source="efetch batch 1")


def test_error_body_is_an_ncbi_error():
    body = b'<?xml version="1.0"?><eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>'
    with pytest.raises(NCBIError, match="Unable to obtain query #1"):
        check_response(body, source="efetch")


def test_empty_body_is_a_parse_error():
    with pytest.raises(ParseError, match="empty body"):
        check_response(b"  ")


def test_esearch_page():
    body = (
        b'<?xml version="1.0"?><eSearchResult><Count>3</Count><RetMax>3</RetMax><RetStart>0</RetStart>'
        b"<QueryKey>1</QueryKey><WebEnv>MCID_x</WebEnv><IdList><Id>3</Id><Id>2</Id><Id>1</Id></IdList>"
        b"<QueryTranslation>ketamine[All Fields]</QueryTranslation>"
        b"<WarningList><QuotedPhraseNotFound>x y</QuotedPhraseNotFound></WarningList></eSearchResult>"
    )
    page = parse_esearch(body)
    assert (page.count, page.ids, page.webenv, page.query_key) == (3, ("3", "2", "1"), "MCID_x", "1")
    assert page.query_translation == "ketamine[All Fields]"
    assert page.warnings == ("QuotedPhraseNotFound: x y",)


def test_esearch_translation_set_names_the_mesh_headings():
    # written for this test in esearch's wire format (the DOCTYPE, the white space inside <Translation> and the
    # <To> text are shaped as PubMed answers them); no PubMed answer is copied here
    body = (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
        b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
        b"<eSearchResult><Count>812</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
        b"<TranslationSet><Translation>     <From>fish oil</From>     "
        b'<To>"fish oils"[MeSH Terms] OR ("fish"[All Fields] AND "oil"[All Fields]) OR "fish oil"[All Fields]</To>'
        b"    </Translation><Translation>     <From>glycinate</From>     "
        b'<To>"magnesium glycinate"[Supplementary Concept] OR "glycinate"[All Fields]</To>    </Translation>'
        b"</TranslationSet><TranslationStack>   <TermSet>    <Term>\"fish oils\"[MeSH Terms]</Term>    "
        b"<Field>MeSH Terms</Field>    <Count>11000</Count>    <Explode>Y</Explode>   </TermSet>  </TranslationStack>"
        b'<QueryTranslation>("fish oils"[MeSH Terms] OR "fish oil"[All Fields]) AND (...)</QueryTranslation>'
        b"</eSearchResult>"
    )
    page = parse_esearch(body)
    assert page.count == 812 and page.ids == ()
    assert [(t.source, t.mesh_headings) for t in page.translation_set] == [
        ("fish oil", ("fish oils",)), ("glycinate", ("magnesium glycinate",))]
    assert page.mesh_headings == ("fish oils", "magnesium glycinate")
    # an empty translation set (a term PubMed searched as it was) maps to nothing
    empty = parse_esearch(b"<eSearchResult><Count>0</Count><IdList/><TranslationSet/>"
                          b"<QueryTranslation>abcxyz[All Fields]</QueryTranslation></eSearchResult>")
    assert empty.translation_set == () and empty.mesh_headings == ()


def test_the_double_answers_translation_sets_as_biopython_reads_them(double):
    """The loopback double's esearch carries a translation set that Bio.Entrez (with NCBI's DTD) and our parser read
    alike."""
    import io
    import urllib.request

    from Bio import Entrez

    double.add_mesh("fish oil", "Fish Oils")
    double.counter = lambda term: 57
    body = urllib.request.urlopen(f"{double.base}esearch.fcgi?db=pubmed&retmax=0&term=fish+oil+AND+mood%5Btiab%5D",
                                  timeout=10).read()
    biopython = Entrez.read(io.BytesIO(body))
    ours = parse_esearch(body)
    assert biopython["Count"] == "57" and ours.count == 57
    assert [(t["From"], t["To"]) for t in biopython["TranslationSet"]] == [
        (t.source, t.searched) for t in ours.translation_set] == [
        ("fish oil", '"fish oils"[MeSH Terms] OR "fish oil"[All Fields]')]


def test_wrong_root_is_a_parse_error():
    with pytest.raises(ParseError, match="expected <PubmedArticleSet>"):
        parse_pubmed_xml(b"<eSearchResult><Count>0</Count></eSearchResult>")


def test_notices_list_retractions_concerns_and_errata(records):
    from dataclasses import replace

    assert records["99000004"].notices == (("retraction", "99000005"), ("erratum", "99000006"))
    concern = replace(records["99000002"], comments_corrections=(("ExpressionOfConcernIn", "99000008"),))
    assert concern.notices == (("expression of concern", "99000008"),) and not concern.retracted
    assert records["99000001"].notices == ()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_found_after_a_parse_or_a_parse_error(enabled):
    import gc

    body = article_set("99000001")
    (gc.enable if enabled else gc.disable)()
    try:
        assert gc.isenabled() is enabled
        assert [r.pmid for r in parse_pubmed_xml(body)] == ["99000001"]
        assert gc.isenabled() is enabled
        with pytest.raises(ParseError):
            parse_pubmed_xml(body[: len(body) // 2])
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


# -- the fields a citation needs: volume, issue, pages, authors with initials, group authors ------------------------
def test_volume_issue_and_an_abbreviated_medline_pagination(records):
    cohort = records["99000010"]
    assert (cohort.volume, cohort.issue) == ("162", "7")
    assert cohort.pagination == "1320-7"  # MedlinePgn as printed, not StartPage-EndPage
    assert cohort.piis == ("S9999-0010(05)00010-X",)  # the publisher's internal pii, not an article number
    assert cohort.elocations == (("pii", "S9999-0010(05)00010-X"), ("doi", "10.9999/fixture.0010"))
    assert cohort.doi == "10.9999/fixture.0010" and cohort.pmcid == "PMC9900010"
    assert (records["99000001"].volume, records["99000001"].issue, records["99000001"].pagination) == ("1", "2", "")


def test_an_article_number_given_only_as_an_elocation_id(records):
    online = records["99000011"]
    assert online.pagination == "" and online.piis == ("e0099011",)
    assert (online.volume, online.issue) == ("16", "3")
    assert online.pmcid == ""


def test_more_than_twenty_authors_with_initials_suffixes_and_a_withdrawn_name(records):
    names = records["99000010"].author_names
    assert len(names) == 22  # the name an erratum withdrew (ValidYN="N") is not an author
    assert names[0] == AuthorName("Zweiundzwanzig", "A")
    assert names[1] == AuthorName("Ñandú-Fixture", "JP")
    assert names[2] == AuthorName("Testwell", "C", "3rd")
    assert "Testwel C" not in records["99000010"].authors
    assert records["99000010"].authors[:3] == ("Zweiundzwanzig A", "Ñandú-Fixture JP", "Testwell C")
    assert records["99000010"].authors_complete


def test_a_collective_name_is_a_group_author(records):
    names = records["99000011"].author_names
    assert names[0].is_group and names[0].collective == "Fixture Registry Collaborative Group"
    assert str(names[0]) == "Fixture Registry Collaborative Group"
    assert not names[1].is_group and names[1] == AuthorName("de Example", "R")
    assert records["99000002"].author_names == (AuthorName(collective="Fixture Consortium Study Group"),
                                                AuthorName("Example", "C"))


# Hand-written for this test, imitating PubMed's DTD: a Pagination of StartPage and EndPage without MedlinePgn, an
# AuthorList PubMed marks incomplete, and a book whose only AuthorList names its editors. Not real records.
START_END = """<PubmedArticle><MedlineCitation><PMID>99000012</PMID><Article><Journal><JournalIssue CitedMedium="Print">
<Volume>3</Volume><PubDate><Year>1990</Year></PubDate></JournalIssue><Title>Fixture Annals</Title></Journal>
<ArticleTitle>A fixture with start and end pages.</ArticleTitle>
<Pagination><StartPage>101</StartPage><EndPage>109</EndPage></Pagination>
<AuthorList CompleteYN="N"><Author><LastName>First</LastName><Initials>F</Initials></Author></AuthorList>
</Article></MedlineCitation></PubmedArticle>
<PubmedBookArticle><BookDocument><PMID>99000013</PMID><ArticleIdList/><Book><Publisher><PublisherName>Fixture Press
</PublisherName></Publisher><BookTitle>A fixture book</BookTitle><PubDate><Year>2020</Year></PubDate>
<AuthorList Type="editors"><Author><LastName>Editor</LastName><Initials>E</Initials></Author></AuthorList>
</Book></BookDocument></PubmedBookArticle>"""


def test_start_and_end_pages_an_incomplete_author_list_and_editors_who_are_not_authors():
    body = f'<?xml version="1.0" ?>\n<PubmedArticleSet>{START_END}</PubmedArticleSet>'.encode()
    article, book = parse_pubmed_xml(body)
    assert article.pagination == "101-109" and article.volume == "3" and article.issue == ""
    assert article.authors == ("First F",) and not article.authors_complete
    assert book.is_book and book.author_names == () and book.authors == ()
