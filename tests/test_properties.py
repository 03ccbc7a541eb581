"""Property-based tests: whatever the input, the readers of claims.csv, data/studies.csv,
data/evidence.csv and PubMed XML either parse it or raise an EvidenceError that names the file
and line; never another exception."""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT, csv_text

from evidence.register.claims import CLAIM_COLUMNS, load_claims
from evidence.errors import DataError, EvidenceError
from evidence.sources.records import parse_esearch, parse_pubmed_xml
from evidence.register.project import load_register
from evidence.register.studies import EVIDENCE_COLUMNS, STUDY_COLUMNS, load_evidence, load_studies

REGISTER = load_register(ROOT)
CLAIMS = list(REGISTER.claims)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "C01", "pmid:1", "12345", "10.1000/x", "rct", "supports", "2020", "2026-11-25",
                     "curated", "https://example.org", '"', ",", "\n", "(", ")", "[tiab]", "\ufeff", "²"]),
)


def rows_for(columns):
    return st.lists(st.lists(cells, min_size=len(columns) - 1, max_size=len(columns) + 1), max_size=6)


def check_data_error(error: EvidenceError, name: str):
    assert isinstance(error, DataError), type(error)
    assert error.file.endswith(name)
    assert error.line is not None and error.line >= 1
    assert str(error).startswith(error.file)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


READERS = {
    "claims.csv": (CLAIM_COLUMNS, load_claims),
    "studies.csv": (STUDY_COLUMNS, load_studies),
    "evidence.csv": (EVIDENCE_COLUMNS, lambda path: load_evidence(path, CLAIMS, REGISTER.studies)),
}


@pytest.mark.parametrize("name", READERS)
@FAST
@given(data=st.data(), raw=st.booleans(), text=st.text(max_size=300), short_header=st.booleans())
def test_csv_readers_parse_or_name_file_and_line(tmp_path_factory, name, data, raw, text, short_header):
    """Random rows (or arbitrary text) either load or raise a DataError naming the file and line."""
    columns, load = READERS[name]
    body = text if raw else csv_text(columns[:-1] if short_header else columns, data.draw(rows_for(columns)))
    path = write(tmp_path_factory.mktemp("csv"), name, body)
    try:
        load(path)
    except EvidenceError as error:
        check_data_error(error, name)


def test_a_valid_study_row_is_accepted(tmp_path):
    row = ["pmid:123", "123", "10.1000/x", "PMC1234567", "Doe", "2020", "J", "T", "rct", "10", "", "https://e.org",
           "2026-11-25", "curated", "", "", "", "NCT01234567"]
    studies = load_studies(write(tmp_path, "studies.csv", csv_text(STUDY_COLUMNS, [row])))
    assert studies["pmid:123"].n == 10 and studies["pmid:123"].trial_key == "NCT01234567"


# -- XML -----------------------------------------------------------------------------------
TAGS = ["PubmedArticleSet", "PubmedArticle", "PubmedBookArticle", "MedlineCitation", "PMID", "Article", "Journal",
        "JournalIssue", "PubDate", "Year", "MedlineDate", "Title", "ArticleTitle", "Abstract", "AbstractText",
        "AuthorList", "Author", "LastName", "Initials", "CollectiveName", "PublicationTypeList", "PublicationType",
        "MeshHeadingList", "MeshHeading", "DescriptorName", "QualifierName", "PubmedData", "ArticleIdList",
        "ArticleId", "BookDocument", "Book", "DataBankList", "DataBank", "DataBankName", "AccessionNumberList",
        "AccessionNumber", "CommentsCorrectionsList", "CommentsCorrections", "ERROR", "i", "sup", "eSearchResult",
        "Count", "IdList", "Id", "RetMax", "RetStart"]
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&\x00"), max_size=12)
attrs = st.dictionaries(st.sampled_from(["UI", "IdType", "RefType", "Label", "MajorTopicYN", "EIdType"]), texts,
                        max_size=2)


def element(children):
    def build(parts):
        tag, attributes, text, kids = parts
        rendered = "".join(f' {k}="{v}"' for k, v in attributes.items())
        return f"<{tag}{rendered}>{text}{''.join(kids)}</{tag}>"
    return st.tuples(st.sampled_from(TAGS), attrs, texts, st.lists(children, max_size=4)).map(build)


xml_trees = st.recursive(st.tuples(st.sampled_from(TAGS), texts).map(lambda p: f"<{p[0]}>{p[1]}</{p[0]}>"),
                         element, max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(tree=xml_trees)
def test_xml_parser_on_pubmed_shaped_trees(tree):
    body = f'<?xml version="1.0"?>\n{tree}'.encode()
    for parse in (parse_pubmed_xml, parse_esearch):
        try:
            parse(body, source="efetch batch 1")
        except EvidenceError as error:
            assert "efetch batch 1" in str(error) or "NCBI reported an error" in str(error)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300))
def test_xml_parser_on_arbitrary_bytes(body):
    try:
        parse_pubmed_xml(body, source="efetch batch 2")
    except EvidenceError as error:
        assert "efetch batch 2" in str(error) or "NCBI reported an error" in str(error)
