"""Draft claims from an article's text: pure functions, no files and no network.

    read_article(text)            the article's headings (its sections) and sentences, each with the line it starts on
    draft_article(article)        for every sentence, whether it is drafted as a claim and why (a ``Decision``)
    render_query(blocks, mesh)    a draft's PubMed query: its concept blocks ANDed, each block's synonyms ORed, MeSH
                                  headings first when PubMed's term mapping has named them

How a sentence becomes a draft, each step a rule table of ``evidence.rules`` with its source:

1. **Which sentences are claims.** Headings (short lines without closing punctuation, including headings written as
   questions), questions, calls to action and sentences about the article itself (``non_claims``) are left out. A
   sentence is drafted when it holds a claim cue (a number, a causal verb, an appeal to studies, a comparison...:
   ``claim_cues``, or a claim-type cue) and a health concept.
2. **What each claim is.** The first row of ``claim_type_cues`` whose pattern the sentence matches, and whose need
   (a treatment named, none, or two) the sentence meets, gives the claim type; the matched words are the cue that
   decided it. Otherwise a sentence about a treatment is an efficacy claim, any other an epidemiology claim.
3. **Queries as concept blocks.** Noun phrases are read with a small part-of-speech step (below) and sorted into
   interventions, conditions, outcomes and other concepts by the word lists of ``query_words``; the article's own
   abbreviations give synonyms. A query is (intervention synonyms) AND (condition or outcome synonyms), with the
   claim type's own block (``query_blocks``) where the type asks for one. Verbs and filler words never become search
   terms, because only noun phrases are read for terms.

Part of speech. spaCy and NLTK tag words with statistical models that must be downloaded at run time, which this
project cannot do. LemmInflect ships its lexicon (the SPECIALIST Lexicon's words, with their possible parts of
speech) inside the wheel, so each word's readings come from it; the few words that can be nouns or verbs are decided
by the word before them (a determiner makes a noun, a modal or pronoun a verb), and a word the lexicon does not know
(a drug, an abbreviation, a condition) is a noun. That is all a draft query needs: noun phrases, never verbs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from lemminflect import getAllLemmas
from sentencex import segment

from .rules import RuleRow, check_option, rule_rows

__all__ = [
    "Article",
    "Block",
    "Decision",
    "Draft",
    "Heading",
    "Sentence",
    "abbreviations",
    "draft_article",
    "query_terms",
    "read_article",
    "render_query",
    "split_sentences",
]

DEFAULT_SECTION = "Introduction"
# A heading is a short line: longer lines without closing punctuation are wrapped text or list items.
HEADING_MAX_WORDS = 14
# ... and, followed at once by a line that could go on its sentence, a line at most this part of that line's length:
# a hard-wrapped paragraph's lines are about as long as each other (its first line ends near the wrap width).
HEADING_SHORTER = 0.75
# A sentence of fewer words asserts too little to check ("Yes!", "You are not alone.").
MIN_CLAIM_WORDS = 4
# A block lists at most this many synonyms, so a draft stays readable; the writer adds more.
MAX_BLOCK_TERMS = 6
# A term longer than this is cut to its last words (its head and nearest modifiers).
MAX_TERM_WORDS = 4
NEEDS = ("any", "treatment", "no-treatment", "two-treatments")
BLOCK_USES = ("always", "fallback")
WORD_KINDS = ("function", "filler", "generic", "population", "treatment", "named-by-adjective", "comparator",
              "modality", "condition-head", "eponym-head", "condition", "condition-suffix", "drug-suffix", "outcome",
              "effect", "verb-leaning", "reader", "animal", "human")


# -- the article: headings and sentences ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    line: int
    text: str


@dataclass(frozen=True)
class Sentence:
    line: int
    section: str
    text: str


@dataclass(frozen=True)
class Article:
    headings: tuple[Heading, ...]
    sentences: tuple[Sentence, ...]


_MD_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[-*•+–—]|\d{1,3}[.)])\s+")
_RULE_LINE = re.compile(r"^(?:[-=_*~]\s*){3,}$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG_OR_ADDRESS = re.compile(r"</?[A-Za-z][^<>]{0,200}>|\bhttps?://\S+|\bwww\.\S+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_WIKI_HEADING = re.compile(r"^=+\s*(.*?)\s*=+$")
_TERMINAL = ".!?:;,\"”’')]"
# A list item's short label before a colon ("**Lasting results:** The improvements persist ...").
_ITEM_LABEL = re.compile(r"^[^.:!?]{1,40}:\s+(?=[A-Z])")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+\S")


def _plain(line: str) -> str:
    """A line without the Markdown a pasted article may carry (links, emphasis), its spaces collapsed."""
    line = _LINK.sub(r"\1", line)
    line = _TAG_OR_ADDRESS.sub(" ", line)  # markup and web addresses pasted with the text are not its words
    line = _EMPHASIS.sub(r"\2", line)
    return " ".join(line.split())


def _heading_like(line: str) -> bool:
    words = line.split()
    if not words or len(words) > HEADING_MAX_WORDS or _SENTENCE_END.search(line):
        return False
    if line.endswith("?"):
        return True  # a heading written as a question
    if line[-1] in _TERMINAL:
        return False
    return words[-1].lower() not in _words("function")  # a wrapped line ends mid-sentence ("... relief for")


def _heading_before(line: str, following: str, blank_after: bool) -> bool:
    """Whether a short line without closing punctuation is a heading rather than the first line of a hard-wrapped
    paragraph, judged by what follows it: a blank line; a list, a Markdown heading or a new sentence (its first word
    one that starts sentences: "The", "In"); or a line clearly longer than it (a wrapped paragraph's lines are
    about as long as each other), unless the line is in Title Case. A question stands as a heading before any line
    that starts with a capital."""
    if blank_after or not following:
        return True
    if not (following[0].isupper() or following[0] in "#*-•\"“(" or following[0].isdigit()):
        return False  # the sentence goes on: "... relief for\nmonths"
    if line.endswith("?") or following[0] in "#*-•" or _BULLET.match(following):
        return True
    first = following.split()[0].strip("\"“(").lower()
    if first in _words("function") and first != "i":
        return True
    return len(line) <= HEADING_SHORTER * len(following) or _title_case(line)


def _title_case(line: str) -> bool:
    """Whether every word of the line but its function words starts with a capital, with at least three such words
    ("Omega-3 Supplements and Depression in Older Adults")."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _words("function")]
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def read_article(text: str) -> Article:
    """The article's headings and sentences. A heading is a line of its own: a Markdown heading, or a short line
    without closing punctuation (or a short question) that starts a block and is not the first line of a wrapped
    paragraph (``_heading_before``); every sentence belongs to the heading above it (``Introduction`` before the
    first). Paragraphs may be one line each or wrapped over several; list items are sentences of their own. Each
    sentence keeps the line it starts on."""
    lines = text.splitlines()
    headings: list[Heading] = []
    sentences: list[Sentence] = []
    section = DEFAULT_SECTION
    paragraph: list[tuple[int, str]] = []  # (line number, text) of the lines joined into one paragraph

    def flush() -> None:
        if paragraph:
            sentences.extend(_sentences(paragraph, section))
            paragraph.clear()

    for index, raw in enumerate(lines):
        number = index + 1
        stripped = raw.strip()
        if not stripped:
            flush()
            continue
        if _RULE_LINE.match(stripped):
            if len(paragraph) == 1 and set(stripped) <= {"=", "-"} and _heading_like(paragraph[0][1]):
                line_no, title = paragraph.pop()  # a Setext heading: the line above is underlined
                headings.append(Heading(line_no, title))
                section = title
            flush()
            continue
        wiki = _WIKI_HEADING.match(stripped)
        marked = bool(_MD_HEADING.match(stripped) or wiki)
        bullet = _BULLET.match(stripped)
        line = _plain(wiki.group(1) if wiki else _MD_HEADING.sub("", stripped))
        if bullet:
            flush()
            line = _ITEM_LABEL.sub("", _plain(stripped[bullet.end():]))  # "Less bloating: Most people ..."
        if not line:
            continue
        starts_block = not paragraph or paragraph[-1][1][-1] in ".!?:\"”’)"
        following = next((lines[j].strip() for j in range(index + 1, len(lines)) if lines[j].strip()), "")
        blank_after = index + 1 >= len(lines) or not lines[index + 1].strip()
        if marked or (not bullet and starts_block and _heading_like(line) and
                      _heading_before(line, following, blank_after)):
            flush()
            headings.append(Heading(number, line))
            section = line
            continue
        paragraph.append((number, line))
        if bullet or re.search(r"[.!?][\"”’')\]]*$", line):
            flush()  # a line that ends a sentence ends its paragraph (a wrapped line seldom does)
    flush()
    return Article(tuple(headings), tuple(sentences))


def _sentences(paragraph: Sequence[tuple[int, str]], section: str) -> list[Sentence]:
    """The sentences of a paragraph (sentencex's rules for English: abbreviations, decimals, initials), each with the
    line of the article it starts on."""
    text = ""
    starts: list[tuple[int, int]] = []  # (offset in text, line number)
    for number, line in paragraph:
        if text:
            text += " "
        starts.append((len(text), number))
        text += line
    found = []
    position = 0
    for part in segment("en", text):
        part = part.strip()
        if not part:
            continue
        offset = text.find(part, position)
        if offset < 0:  # sentencex returns the text's own characters; this guards a future change
            offset = position
        position = offset + len(part)
        line = max(n for start, n in starts if start <= offset)
        found.append(Sentence(line, section, part))
    return found


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences (``read_article(text).sentences``)."""
    return list(read_article(text).sentences)


# -- rule tables ---------------------------------------------------------------------------------------------------
@cache
def _word_lists() -> dict[str, frozenset[str]]:
    lists: dict[str, set[str]] = {kind: set() for kind in WORD_KINDS}
    for row in rule_rows("query_words"):
        kind = check_option(row, "kind", WORD_KINDS)
        lists[kind].update(word.lower().replace("_", " ") for word in row["words"].split())
    return {kind: frozenset(words) for kind, words in lists.items()}


def _words(kind: str) -> frozenset[str]:
    return _word_lists()[kind]


@cache
def _multiword() -> tuple[tuple[str, ...], ...]:
    """Terms of several words in the word lists ("quality of life"), read as one noun, longest first."""
    found = {tuple(word.split()) for words in _word_lists().values() for word in words if " " in word}
    return tuple(sorted(found, key=len, reverse=True))


def _compile(row: RuleRow, column: str = "pattern") -> re.Pattern:
    try:
        return re.compile(row[column], re.IGNORECASE)
    except re.error as exc:
        raise row.error(f"{column} is not a valid regular expression ({exc}).") from None


@cache
def claim_cue_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(cue, pattern) of rules/claim_cues.csv: what makes a sentence checkable."""
    return tuple((row["cue"], _compile(row)) for row in rule_rows("claim_cues"))


@dataclass(frozen=True)
class TypeCue:
    order: int
    claim_type: str
    needs: str
    from_heading: bool  # found in the section's heading, the cue types the section's sentences that have none
    pattern: re.Pattern


@cache
def type_cues() -> tuple[TypeCue, ...]:
    """rules/claim_type_cues.csv in order; each claim type is one the register accepts."""
    from .register.claims import CLAIM_TYPES

    found = []
    for row in rule_rows("claim_type_cues"):
        if not row["order"].isdigit():
            raise row.error(f"order {row['order']!r} is not a whole number.")
        from_heading = check_option(row, "from_heading", ("yes", "no")) == "yes"
        found.append(TypeCue(int(row["order"]), check_option(row, "claim_type", CLAIM_TYPES),
                             check_option(row, "needs", NEEDS), from_heading, _compile(row)))
    return tuple(sorted(found, key=lambda cue: cue.order))


@cache
def non_claim_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((row["kind"], _compile(row)) for row in rule_rows("non_claims"))


@cache
def type_blocks() -> dict[str, tuple[str, str]]:
    """claim type -> (use, PubMed text) of rules/query_blocks.csv; every claim type has one."""
    from .register.claims import CLAIM_TYPES, check_query

    blocks = {}
    for row in rule_rows("query_blocks"):
        claim_type = check_option(row, "claim_type", CLAIM_TYPES)
        problem = check_query(row["block"])
        if problem:
            raise row.error(f"block is not a valid PubMed query ({problem}).")
        blocks[claim_type] = (check_option(row, "use", BLOCK_USES), row["block"])
    missing = [t for t in CLAIM_TYPES if t not in blocks]
    if missing:
        raise rule_rows("query_blocks")[0].error(f"claim type {missing[0]!r} has no block.", CLAIM_TYPES)
    return blocks


# -- words ---------------------------------------------------------------------------------------------------------
# A word is letters and digits of any script (Sjögren, Ménière), with the combining accents of text in NFD form.
_WORD_CHAR = r"(?:[^\W_]|[\u0300-\u036f])"
_TOKEN = re.compile(rf"(?P<word>{_WORD_CHAR}+(?:[-'’]{_WORD_CHAR}+)*)|(?P<punct>[^\s\w]|_)")
_ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*$")
_NUMBER = re.compile(r"^\d[\d,.]*$")
_ADJECTIVE_ENDINGS = ("al", "ic", "ous", "ive", "ful", "less", "able", "ible", "ary", "ory")
# Parts of speech: the coarse classes the lexicon gives, and ours for words it does not decide.
NOUN, VERB, ADJ, ADV, FUNC, FILL, NUM, ACRO, PROPER, PUNCT = (
    "NOUN", "VERB", "ADJ", "ADV", "FUNC", "FILL", "NUM", "ACRO", "PROPER", "PUNCT")
# Function words after which a word that can be a noun or a verb is a verb (modals, "to", subject pronouns).
_BEFORE_VERB = frozenset("can could may might must shall should will would to not i we you they he she it who which "
                         "does do did also often usually always never cannot can't won't don't doesn't didn't "
                         "shouldn't".split())
# ... and after which it is a noun (determiners, possessives, prepositions).
_DETERMINERS = frozenset("a an the this these those my your our their his her its some any no less more much".split())
_BEFORE_NOUN = frozenset("a an the this these those my your our their his her its some any each every no "
                         "of in on for with from by at into about after before during without under over".split())


@cache
def _readings(word: str) -> frozenset[str]:
    """The parts of speech the lexicon gives ``word`` (empty when it does not know the word)."""
    return frozenset(getAllLemmas(word))


@cache
def _lemma(word: str) -> str:
    lemmas = getAllLemmas(word).get("NOUN")
    if lemmas:
        return lemmas[0]
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass
class Token:
    text: str
    start: int
    end: int
    punct: bool = False
    possessive: bool = False
    tag: str = ""

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def lemma(self) -> str:
        return _lemma(self.lower) if " " not in self.lower else self.lower


def _tokens(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if word is None:
            tokens.append(Token(match.group(), match.start(), match.end(), punct=True))
            continue
        possessive = False
        if re.search(r"['’]s$", word) and word.lower()[:-2] not in _words("function"):
            word, possessive = word[:-2], True
        elif re.search(r"s['’]$", word):
            possessive = True
        tokens.append(Token(word, match.start(), match.start() + len(word), possessive=possessive))
    return _merge_multiword(tokens, text)


def _merge_multiword(tokens: list[Token], text: str) -> list[Token]:
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        for phrase in _multiword():
            window = tokens[index:index + len(phrase)]
            if len(window) == len(phrase) and all(not t.punct and t.lower == w for t, w in zip(window, phrase)):
                merged.append(Token(text[window[0].start:window[-1].end], window[0].start, window[-1].end,
                                    possessive=window[-1].possessive))
                index += len(phrase)
                break
        else:
            merged.append(tokens[index])
            index += 1
    return merged


def _domain_noun(word: str) -> bool:
    lists = _word_lists()
    return any(word in lists[kind] or _lemma(word) in lists[kind]
               for kind in ("generic", "population", "treatment", "modality", "condition-head", "condition", "outcome",
                            "effect"))


def _tag(tokens: list[Token]) -> None:
    """Give each token its part of speech (see the module's docstring)."""
    words = [t for t in tokens if not t.punct]
    first = words[0] if words else None
    for index, token in enumerate(tokens):
        lower = token.lower
        if token.punct:
            token.tag = PUNCT
        elif _NUMBER.match(lower):
            token.tag = NUM
        elif lower in _words("function"):
            token.tag = FUNC
        elif lower in _words("filler"):
            token.tag = FILL
        elif _ACRONYM.match(token.text) and not token.text[1:].islower():
            token.tag = ACRO
        elif token is not first and token.text[0].isupper() and not _after_break(tokens, index):
            token.tag = PROPER  # a name inside a sentence: a place, an agency, a brand
        else:
            token.tag = _open_class(tokens, index)


def _after_break(tokens: list[Token], index: int) -> bool:
    """Whether the word at ``index`` starts a clause (after a colon, an opening bracket or quote)."""
    before = next((t for t in reversed(tokens[:index])), None)
    return before is not None and before.punct and before.text in ":()[]\"“—"


_FINITE = frozenset("is are was were has have had can could may might will would should must does do did".split())


def _has_verb(tokens: Sequence[Token]) -> bool:
    """Whether a verb stands among ``tokens`` (so a later word is more likely its object than a second verb)."""
    return any(t.tag == VERB or t.lower in _FINITE for t in tokens)


def _clause(tokens: list[Token], index: int) -> list[Token]:
    """The words before ``index`` back to the nearest comma, semicolon or colon."""
    start = index
    while start > 0 and not (tokens[start - 1].punct and tokens[start - 1].text in ",;:"):
        start -= 1
    return tokens[start:index]


@cache
def _causal_verb(word: str) -> bool:
    """Whether ``word`` is one of the causal verbs of rules/claim_cues.csv (block, repair, treat...)."""
    pattern = dict(claim_cue_patterns()).get("causal verb")
    return bool(pattern and pattern.fullmatch(word))


def _previous(tokens: list[Token], index: int) -> Token | None:
    """The nearest word before ``index`` that is not an adverb (``can significantly impair``)."""
    for token in reversed(tokens[:index]):
        if token.punct:
            return None
        if token.tag != ADV and not token.lower.endswith("ly"):
            return token
    return None


def _open_class(tokens: list[Token], index: int) -> str:
    token = tokens[index]
    lower = token.lower
    before = _previous(tokens, index)
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    readings = _readings(lower)
    if lower in _words("verb-leaning") or _lemma(lower) in _words("verb-leaning") and lower.endswith("s") or \
            {"NOUN", "VERB"} <= readings and _causal_verb(lower):
        noun_reading = before is not None and (before.lower in _BEFORE_NOUN or before.tag in (ADJ, NUM, FILL) or
                                               before.possessive)
        return NOUN if noun_reading and not lower.endswith(("ing", "ed")) else VERB
    if " " in lower:
        return NOUN
    if "VERB" in readings and lower.endswith("ing") and "NOUN" not in readings and before is not None and (
            before.lower in _DETERMINERS or before.tag == ADJ or before.possessive):
        return NOUN  # a gerund named as a thing: "less bloating", "the swelling"
    if "VERB" in readings and lower.endswith(("ing", "ed")) and not _domain_noun(lower):
        return VERB  # participles and gerunds describe or act; they never name a search concept
    if _domain_noun(lower):
        return NOUN
    if not readings:
        return _unknown_word(token)
    if readings == {"ADV"}:
        return ADV
    if "NOUN" not in readings:
        if "VERB" in readings and ("ADJ" not in readings or lower.endswith(("ing", "ed"))):
            return VERB
        if "VERB" in readings and _causal_verb(lower) and before is not None and before.tag in (NOUN, ACRO):
            return VERB  # "supplements lower triglycerides"
        return ADJ if "ADJ" in readings else ADV
    if "VERB" in readings:
        if before is not None and before.lower in _BEFORE_VERB:
            return VERB
        if before is not None and (before.lower in _BEFORE_NOUN or before.tag in (ADJ, NUM, FILL) or
                                   before.possessive):
            return NOUN
        if before is not None and before.tag in (NOUN, ACRO) and after is not None and (
                after.lower in _BEFORE_NOUN - {"of"} or _NUMBER.match(after.lower) or
                after.lower in ("more", "less", "most", "only", "also", "as")):
            if not _has_verb(_clause(tokens, index)):
                return VERB  # a subject, then this word, then its object: "relief lasts for", "TENS triggers the"
            if before.lower.endswith("s") and lower in getAllLemmas(lower).get("VERB", ()):
                return VERB  # a plural noun, then a verb's base form: "help individuals rewrite their"
        return NOUN
    if "ADJ" in readings and after is not None and not after.punct and after.lower not in _words("function"):
        return ADJ  # "fatty acids", "mineral water"
    return NOUN


def _unknown_word(token: Token) -> str:
    """A word the lexicon does not know: a compound, or a term of the field (a drug, a condition)."""
    lower = token.lower
    if "-" in lower:
        parts = lower.split("-")
        if _NUMBER.match(parts[-1]) or parts[0] in ("anti", "non", "co", "self", "post", "pre") and \
                "ADJ" not in _readings(parts[-1]):
            return NOUN  # omega-3, covid-19, co-enzyme
        last = _readings(parts[-1])
        if "ADJ" in last or "VERB" in last or parts[-1].endswith(_ADJECTIVE_ENDINGS):
            return ADJ  # cognitive-behavioral, battery-powered, rapid-acting
        return NOUN
    if lower.endswith("ly") and len(lower) > 4:
        return ADV
    if lower.endswith(_ADJECTIVE_ENDINGS) and len(lower) > 6 and not lower.endswith(("ial", "ical")) or \
            lower.endswith(("ical", "otic", "genic")):
        return ADJ  # neurochemical, psychotic
    return NOUN


# -- concepts ------------------------------------------------------------------------------------------------------
INTERVENTION, CONDITION, OUTCOME, TARGET, TREATMENT_WORD, EFFECT_WORD, EXPOSURE = (
    "intervention", "condition", "outcome", "target", "treatment word", "effect word", "exposure")


@dataclass(frozen=True)
class Concept:
    role: str
    term: str  # the words searched, as the article writes them (abbreviations kept as written)

    @property
    def key(self) -> str:
        return self.term.lower()


def _is_condition_word(word: str) -> bool:
    lemma = _lemma(word)
    if word in _words("condition") or lemma in _words("condition"):
        return True
    return len(word) > 6 and any(word.endswith(s) or lemma.endswith(s) for s in _words("condition-suffix"))


def _in(token: Token, kind: str) -> bool:
    return token.lower in _words(kind) or token.lemma in _words(kind)


def _is_medicine(token: Token) -> bool:
    """A treatment named by one word: a modality of the word lists, or a medicine by its INN stem."""
    if _in(token, "modality"):
        return True
    word = token.lower
    return len(word) > 6 and word.endswith(tuple(_words("drug-suffix"))) and not _is_condition_word(word)


def _term(tokens: Sequence[Token]) -> str:
    tokens = list(tokens)[-MAX_TERM_WORDS:]
    # a possessive inside a term is an eponym's ("crohn's disease"); one that ends a term is left off ("patient")
    return " ".join((t.text if t.tag == ACRO else t.lower) + ("'s" if t.possessive and t is not tokens[-1] else "")
                    for t in tokens)


def _strip(tokens: list[Token], *kinds: str) -> list[Token]:
    """``tokens`` without leading and trailing words of the given kinds."""
    while tokens and any(_in(tokens[0], k) for k in kinds):
        tokens = tokens[1:]
    while tokens and any(_in(tokens[-1], k) for k in kinds):
        tokens = tokens[:-1]
    return tokens


def _eponym(tokens: Sequence[Token], index: int) -> bool:
    """Whether the word at ``index`` is a name in the possessive that names a condition with the word after it
    ("Crohn's disease", "Bell's palsy"; rules/query_words.csv's eponym heads)."""
    token = tokens[index]
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    return token.possessive and token.text[:1].isupper() and token.tag in (NOUN, PROPER) and \
        after is not None and not after.punct and _in(after, "eponym-head")


def _chunks(tokens: list[Token]) -> list[list[Token]]:
    """Noun phrases: runs of nouns, adjectives and abbreviations; a possessive ends one, unless it names a condition
    with the next word ("Crohn's disease")."""
    chunks: list[list[Token]] = []
    current: list[Token] = []
    for index, token in enumerate(tokens):
        eponym = _eponym(tokens, index)
        if token.tag in (NOUN, ADJ, ACRO) or eponym:
            current.append(token)
            if token.possessive and not eponym:
                chunks.append(current)
                current = []
        else:
            if current:
                chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    trimmed = []
    for chunk in chunks:
        while chunk and chunk[-1].tag == ADJ and not chunk[-1].possessive:
            chunk = chunk[:-1]  # "pain makes stairs difficult": an adjective after its noun says something of it
        if chunk:
            trimmed.append(chunk)
    return trimmed


def _chunk_concepts(chunk: list[Token], acronyms: Mapping[str, tuple[str, str]]) -> list[Concept]:
    """What a noun phrase names: an intervention, a condition, an outcome, another concept, or only a word that
    refers to the article's treatment or its effect."""
    found: list[Concept] = []
    rest: list[Token] = []
    for token in chunk:
        if token.tag == ACRO and token.text in acronyms:
            found.append(Concept(acronyms[token.text][1], token.text))
        else:
            rest.append(token)
    if found and rest and all(_in(t, "treatment") or _in(t, "generic") or _in(t, "outcome") or _in(t, "effect")
                              for t in rest):
        if any(_in(t, "treatment") for t in rest) and not any(c.role == INTERVENTION for c in found):
            found.append(Concept(TREATMENT_WORD, _term(rest)))  # "asthma treatment": the article's treatment
        return found
    if any(_in(t, "comparator") for t in rest):
        return found  # "a placebo device" is the comparison, not the treatment
    words = [t for t in rest if t.tag != ADJ or not _in(t, "generic")]
    words = _strip(words, "generic", "population")
    if not words:
        return found
    lemmas = [t.lemma for t in words]
    head = words[-1]
    conditions = [i for i, t in enumerate(words) if _is_condition_word(t.lower) or
                  (_in(t, "condition-head") and i > 0) or (i > 0 and words[i - 1].possessive)]
    if conditions:
        end = conditions[-1] + 1
        eponym = end > 1 and words[end - 2].possessive  # "crohn's disease" is one condition
        if _in(words[conditions[-1]], "condition-head") or len(conditions) == 1 or eponym:
            found.append(Concept(CONDITION, _term(_strip(words[:end], "treatment", "effect", "outcome"))))
        else:
            found.extend(Concept(CONDITION, _term([words[i]])) for i in conditions)
        tail = words[end:]
        if any(_is_medicine(t) for t in tail):
            found.append(Concept(INTERVENTION, _term(words)))  # "flu vaccine": a treatment named by its condition
        elif any(_in(t, "treatment") for t in tail):
            found.append(Concept(TREATMENT_WORD, _term(tail)))
        return found
    if _in(head, "treatment"):
        modifiers = _strip(words[:-1], "treatment")
        nouns = [t for t in modifiers if t.tag in (NOUN, ACRO) and not _in(t, "treatment")]
        if nouns:
            start = modifiers.index(nouns[0])
            found.append(Concept(INTERVENTION, _term(modifiers[start:])))
        elif modifiers and all(t.tag == ADJ for t in modifiers) and _in(head, "named-by-adjective"):
            found.append(Concept(INTERVENTION, _term(words)))
        else:
            found.append(Concept(TREATMENT_WORD, _term(words)))
        return found
    if any(_is_medicine(t) for t in words):
        index = max(i for i, t in enumerate(words) if _is_medicine(t))
        found.append(Concept(INTERVENTION, _term(_strip(words[:index + 1], "effect"))))
        return found
    outcomes = [i for i, t in enumerate(words) if _in(t, "outcome")]
    if outcomes:
        core = words
        if len(core) == 1 and lemmas[0] in ("symptom", "score", "function", "functioning"):
            return found  # "symptoms" alone names nothing until a condition does
        found.append(Concept(OUTCOME, _term(core)))
        return found
    if _in(head, "effect"):
        found.append(Concept(EFFECT_WORD, _term(words)))
        return found
    words = _strip(words, "effect", "treatment")
    if not words:
        return found
    if all(t.tag == ADJ for t in words):
        return found
    found.append(Concept(TARGET, _term(words)))
    return found


# Words before a noun phrase that make it the treatment ("taking magnesium", "together with melatonin").
_TREATMENT_CONTEXT = re.compile(
    r"\b(take|takes|taking|took|use|uses|using|try|tries|trying|receive|receives|receiving|received|prescribed|"
    r"given|combining|combined with|together with|plus|alongside|added to|treatment with|therapy with)\s+$", re.I)
# ... and the condition ("people with depression", "symptoms of asthma", "suffering from").
_CONDITION_CONTEXT = re.compile(
    r"\b((people|individuals|patients|adults|children|women|men|those|anyone|veterans|users)\s+(who\s+have\s+|with\s+)|"
    r"symptoms\s+of\s+(the\s+)?|suffer(s|ing)?\s+from\s+|diagnosed\s+with\s+|living\s+with\s+|for\s+)((a|an|the)\s+)?$",
    re.I)
# ... and what a population cannot take is a trait of that population ("people who cannot take anti-inflammatory
# drugs"), not the treatment of the claim.
_POPULATION_TRAIT = re.compile(
    r"\b(who|that)\s+(cannot|can't|can not|do not|don't|are unable to|should not|must not)\s+(take|use|tolerate|have)"
    r"\s+[^,.;:]*$", re.I)


@dataclass(frozen=True)
class SentenceConcepts:
    tokens: tuple[Token, ...]
    concepts: tuple[Concept, ...]

    def of(self, *roles: str) -> list[Concept]:
        seen: dict[str, Concept] = {}
        for concept in self.concepts:
            if concept.role in roles:
                seen.setdefault(concept.key, concept)
        return list(seen.values())


def _read_concepts(text: str, acronyms: Mapping[str, tuple[str, str]],
                   known: Mapping[str, str] | None = None) -> SentenceConcepts:
    """The concepts of a sentence; ``known`` (term -> role, the article's interventions and conditions) gives a
    known term its role wherever it appears. Each sentence is read once per state of what is known."""
    return _read_concepts_once(text, tuple(acronyms.items()), tuple((known or {}).items()))


@lru_cache(maxsize=65536)
def _read_concepts_once(text: str, acronym_items: tuple, known_items: tuple) -> SentenceConcepts:
    acronyms, known = dict(acronym_items), dict(known_items)
    treatments = _known_treatments(tuple(term for term, role in known_items if role == INTERVENTION))
    tokens = _tokens(text)
    _tag(tokens)
    concepts: list[Concept] = []
    for short, (long_form, role) in acronyms.items():
        # a long form the article defines is read as its abbreviation ("Chronic Obstructive Pulmonary Disease (COPD)")
        for match in re.finditer(rf"(?<![\w-]){re.escape(long_form)}(?![\w-])", text, re.I):
            for token in tokens:
                if match.start() <= token.start < match.end():
                    token.tag = FUNC
            concepts.append(Concept(role, short))
    for chunk in _chunks(tokens):
        before = text[:chunk[0].start]
        acts = _subject_of_causal_verb(tokens, chunk)
        for concept in _chunk_concepts(chunk, acronyms):
            if concept.role in (INTERVENTION, TARGET, TREATMENT_WORD) and _POPULATION_TRAIT.search(before):
                concept = Concept(CONDITION, concept.term)
            elif concept.role == TARGET and _TREATMENT_CONTEXT.search(before):
                concept = Concept(INTERVENTION, concept.term)
            elif concept.role == TARGET and acts:
                concept = Concept(EXPOSURE, concept.term)  # "fish oil reduces pain": what acts may be a treatment
            elif concept.role == TARGET and _object_of_causal_verb(tokens, chunk):
                concept = Concept(OUTCOME, concept.term)  # "... lower triglycerides": what is acted on
            elif concept.role == TARGET and _CONDITION_CONTEXT.search(before) and \
                    all(t.tag == ACRO or not _readings(t.lower) for t in chunk if not _in(t, "generic")):
                concept = Concept(CONDITION, concept.term)
            if known and not _POPULATION_TRAIT.search(before):
                concept = _known_role(concept, known, treatments)
            concepts.append(concept)
    return SentenceConcepts(tuple(tokens), tuple(concepts))


_AUXILIARIES = frozenset("can could may might will would also often usually may further".split())


def _subject_of_causal_verb(tokens: Sequence[Token], chunk: Sequence[Token]) -> bool:
    """Whether the noun phrase ``chunk`` is followed (past auxiliaries and adverbs) by one of the causal verbs."""
    index = tokens.index(chunk[-1]) + 1
    while index < len(tokens) and (tokens[index].lower in _AUXILIARIES or tokens[index].tag == ADV):
        index += 1
    return index < len(tokens) and tokens[index].tag == VERB and _causal_verb(tokens[index].lower)


def _object_of_causal_verb(tokens: Sequence[Token], chunk: Sequence[Token]) -> bool:
    """Whether the noun phrase ``chunk`` follows one of the causal verbs (past a determiner)."""
    index = tokens.index(chunk[0]) - 1
    while index >= 0 and tokens[index].lower in ("the", "a", "an", "their", "its", "your", "our"):
        index -= 1
    return index >= 0 and tokens[index].tag == VERB and _causal_verb(tokens[index].lower)


@lru_cache(maxsize=8)
def _known_treatments(terms: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for all the article's known treatments, each as a whole word: compiled once per state of what
    is known (a pattern per term outgrew re's cache of 512 and was compiled again for every concept)."""
    if not terms:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(term) for term in terms)})(?![\w-])")


def _known_role(concept: Concept, known: Mapping[str, str], treatments: re.Pattern | None) -> Concept:
    if concept.role in (INTERVENTION, CONDITION):
        return concept
    if concept.key in known and concept.role in (TARGET, EXPOSURE, OUTCOME):
        return Concept(known[concept.key], concept.term)
    if treatments is not None and len(concept.key.split()) <= MAX_TERM_WORDS and treatments.search(concept.key):
        return Concept(INTERVENTION, concept.term)  # "omega-3 fatty acids" is the article's omega-3
    return concept


# -- abbreviations -------------------------------------------------------------------------------------------------
_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z0-9-]{1,9})\s*\)")


def abbreviations(text: str) -> dict[str, str]:
    """Abbreviations the article defines, ``Long Form (LF)``: abbreviation -> long form. Schwartz and Hearst's
    algorithm (Pacific Symposium on Biocomputing 2003): the long form is the shortest run of the words before the
    bracket in which the abbreviation's letters appear in order, its first letter starting a word."""
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        short = match.group(1)
        if sum(c.isupper() for c in short) < 2:
            continue
        before = re.split(r"[.;:!?()]", text[:match.start()])[-1].split()
        window = before[-min(len(short) + 5, len(short) * 2):]
        long_form = _long_form(short, window)
        if long_form:
            found.setdefault(short, long_form)
    return found


def _long_form(short: str, words: list[str]) -> str:
    letters = [c.lower() for c in short if c.isalnum()]
    text = " ".join(words)
    s, l = len(letters) - 1, len(text) - 1
    while s >= 0:
        while l >= 0 and (text[l].lower() != letters[s] or s == 0 and l > 0 and text[l - 1].isalnum()):
            l -= 1
        if l < 0:
            return ""
        s -= 1
        l -= 1
    start = text.rfind(" ", 0, l + 1) + 1
    long_form = text[start:].strip(" ,")
    if len(long_form.split()) > len(letters) + 5 or long_form.lower().startswith(("the ", "a ", "an ")):
        long_form = long_form.split(" ", 1)[-1]
    return long_form


def _acronym_roles(text: str) -> dict[str, tuple[str, str]]:
    """abbreviation -> (long form, role): what the long form names (a treatment, a condition, something else)."""
    roles = {}
    for short, long_form in abbreviations(text).items():
        concepts = _read_concepts(long_form.lower(), {}).concepts
        role = next((c.role for c in concepts if c.role in (CONDITION, INTERVENTION)), "")
        if not role and any(c.role == TREATMENT_WORD for c in concepts) or _stimulus(long_form):
            role = INTERVENTION
        roles[short] = (long_form, role or TARGET)
    return roles


def _stimulus(long_form: str) -> bool:
    """Long forms such as "transcutaneous electrical nerve stimulation" name a treatment by its last word."""
    last = long_form.lower().split()[-1] if long_form.split() else ""
    return last.endswith(("therapy", "stimulation", "reprocessing", "training", "replacement"))


# -- drafts --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One concept of a query: its role and its terms (each term a tuple of synonyms), or a claim type's own
    PubMed text."""

    role: str
    terms: tuple[tuple[str, ...], ...] = ()
    fixed: str = ""

    def describe(self) -> str:
        if self.fixed:
            return f"{self.role}: {self.fixed}"
        return f"{self.role}: " + " | ".join(" = ".join(synonyms) for synonyms in self.terms)


@dataclass(frozen=True)
class Draft:
    claim_type: str
    type_cue: str
    blocks: tuple[Block, ...]
    population: str = ""
    intervention: str = ""
    comparator: str = ""
    outcome: str = ""
    subjects: str = "people"

    @property
    def query(self) -> str:
        """The query without MeSH headings (offline, or before PubMed has mapped its terms)."""
        return render_query(self.blocks)


@dataclass(frozen=True)
class Decision:
    """What init made of one sentence: ``outcome`` is ``drafted`` or why not; ``cues`` the claim cues it holds."""

    sentence: Sentence
    outcome: str
    cues: tuple[str, ...] = ()
    draft: Draft | None = None


@dataclass(frozen=True)
class ArticleContext:
    acronyms: dict[str, tuple[str, str]]
    known: dict[str, str]
    main_intervention: tuple[str, ...] = ()
    main_condition: tuple[str, ...] = ()


def _context(sentences: Sequence[Sentence], text: str) -> ArticleContext:
    """The article's abbreviations, the interventions and conditions it names, and the ones it names most."""
    acronyms = _acronym_roles(text)
    known: dict[str, str] = {}
    for short, (long_form, role) in acronyms.items():
        if role in (INTERVENTION, CONDITION):
            known[short.lower()] = role
            known[long_form.lower()] = role
    claims = []
    for sentence in sentences:
        concepts = _read_concepts(sentence.text, acronyms)
        if _left_out(sentence.text, concepts):
            continue  # a question, a call to action or a line about the article names no concept of its claims
        claims.append(sentence)
        for concept in concepts.concepts:
            if concept.role in (INTERVENTION, CONDITION):
                known.setdefault(concept.key, concept.role)
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    acting: dict[str, str] = {}
    for number, sentence in enumerate(claims):
        for concept in _read_concepts(sentence.text, acronyms, known).of(INTERVENTION, CONDITION, EXPOSURE):
            key = _canonical(concept.key, acronyms)
            counts[key] += 1
            first_seen.setdefault(key, number)
            if concept.role == EXPOSURE:
                acting.setdefault(key, EXPOSURE)
    ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
    main = {role: next((k for k in ranked if _role_of(k, known, acronyms) == role), "")
            for role in (INTERVENTION, CONDITION)}
    if not main[INTERVENTION]:  # an article that names its treatment by no treatment word: what acts most often
        main[INTERVENTION] = next((k for k in ranked if k in acting and k not in known), "")
        if main[INTERVENTION]:
            known[main[INTERVENTION]] = INTERVENTION
    return ArticleContext(acronyms, known,
                          _synonyms(main[INTERVENTION], acronyms) if main[INTERVENTION] else (),
                          _synonyms(main[CONDITION], acronyms) if main[CONDITION] else ())


def _canonical(key: str, acronyms: Mapping[str, tuple[str, str]]) -> str:
    """An abbreviation and its long form count as one concept (kept as the abbreviation)."""
    for short, (long_form, _) in acronyms.items():
        if key in (short.lower(), long_form.lower()):
            return short
    return key


def _role_of(key: str, known: Mapping[str, str], acronyms: Mapping[str, tuple[str, str]]) -> str:
    if key in acronyms:
        return acronyms[key][1]
    return known.get(key, "")


def _synonyms(term: str, acronyms: Mapping[str, tuple[str, str]]) -> tuple[str, ...]:
    """A term and the other form of it the article defines (an abbreviation's long form, or the reverse)."""
    for short, (long_form, _) in acronyms.items():
        if term.lower() == short.lower():
            return (short, long_form.lower())
        if term.lower() == long_form.lower():
            return (term, short)
    return (term,)


def _first_match(patterns: Iterable[tuple[str, re.Pattern]], text: str) -> str:
    return next((name for name, pattern in patterns if pattern.search(text)), "")


def _is_imperative(concepts: SentenceConcepts) -> bool:
    """A sentence that opens with a verb in its base form and speaks to the reader, or has no other verb: "Talk to
    your doctor.", "Take two capsules daily." (a claim such as "Exercise for 30 minutes reduces pain" has one)."""
    words = [t for t in concepts.tokens if not t.punct]
    if len(words) < 2:
        return False
    first, second = words[0], words[1]
    lower = first.lower
    if first.tag == ACRO:
        return False
    if "VERB" not in _readings(lower) or lower not in getAllLemmas(lower).get("VERB", ()):
        return False
    if not (second.lower in _BEFORE_NOUN | _words("reader") | {"to", "it", "them", "me", "more", "out", "up", "if",
                                                               "how", "what", "whether", "yourself"}
            or _NUMBER.match(second.lower)):
        return False
    if any(t.lower in _words("reader") for t in words):
        return True
    return not any(t.tag == VERB or t.lower in ("is", "are", "was", "were", "has", "have", "had") for t in words[2:])


def _subjects(concepts: SentenceConcepts, claim_type: str) -> str:
    animals = any(_in(t, "animal") for t in concepts.tokens)
    humans = any(_in(t, "human") for t in concepts.tokens)
    if animals:
        return "both" if humans else "animals"
    # a mechanism claimed without a word for people is studied in animals and in people alike
    return "both" if claim_type == "mechanism" and not humans else "people"


_COMPARATOR = re.compile(r"\b(?:compared (?:with|to)|versus|vs\.?|than|instead of) ", re.I)


def _noun_phrase_after(tokens: Sequence[Token], start: int, text: str) -> str:
    """The words of the noun phrase that begins at or after character ``start`` (a determiner and adjectives
    included), or ""."""
    words = [t for t in tokens if t.start >= start]
    taken: list[Token] = []
    for token in words:
        if token.tag in (NOUN, ACRO, ADJ, PROPER, NUM, FILL) or (not taken and token.lower in ("a", "an", "the")):
            taken.append(token)
            continue
        break
    while taken and taken[-1].tag in (ADJ, FILL):
        taken.pop()
    if not taken or NUM in (taken[0].tag, taken[-1].tag):
        return ""  # "more than 300 reactions" is a quantity, not a comparator
    return text[taken[0].start:taken[-1].end]


def _population(tokens: Sequence[Token], text: str) -> str:
    """Whom the sentence speaks of: a population word with the adjectives before it and what follows "with"."""
    for index, token in enumerate(tokens):
        if token.tag != NOUN or not _in(token, "population") or token.lower in ("everyone", "person"):
            continue
        first = index
        while first > 0 and tokens[first - 1].tag in (ADJ, PROPER) and not tokens[first - 1].punct:
            first -= 1
        end = token.end
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if after is not None and after.lower == "with":
            phrase = _noun_phrase_after(tokens, after.end, text)
            if phrase:
                end = text.index(phrase, after.end) + len(phrase)
        return text[tokens[first].start:end]
    return ""


def _pico(text: str, concepts: SentenceConcepts) -> dict[str, str]:
    comparator = _COMPARATOR.search(text)
    comparator_text = _noun_phrase_after(concepts.tokens, comparator.end(), text) if comparator else ""
    return {
        "population": _population(concepts.tokens, text),
        "intervention": "; ".join(c.term for c in concepts.of(INTERVENTION)),
        "comparator": comparator_text,
        "outcome": "; ".join(c.term for c in concepts.of(CONDITION, OUTCOME)),
    }


def _needs_met(cue: TypeCue, interventions: int, treatment_named: bool) -> bool:
    return not (cue.needs == "treatment" and not treatment_named or cue.needs == "no-treatment" and interventions or
                cue.needs == "two-treatments" and interventions < 2)


def _type_of(text: str, interventions: int, treatment_named: bool, section: str = "") -> tuple[str, str]:
    """(claim type, the words that decided it)."""
    for cue in type_cues():
        match = cue.pattern.search(text)
        if match and _needs_met(cue, interventions, treatment_named):
            return cue.claim_type, f"{cue.claim_type}: \u201c{match.group(0).strip()}\u201d"
    for cue in type_cues():  # harms listed under a heading such as "Side effects" seldom repeat the word
        match = cue.pattern.search(section) if cue.from_heading else None
        if match and _needs_met(cue, interventions, treatment_named):
            return cue.claim_type, f"{cue.claim_type}: the section heading \u201c{section}\u201d"
    if treatment_named:
        return "efficacy", "efficacy: a sentence about a treatment that names no narrower kind of claim"
    return "epidemiology", "epidemiology: a sentence about a condition that names no treatment"


def _blocks(claim_type: str, concepts: SentenceConcepts, context: ArticleContext) -> tuple[Block, ...]:
    """The query's concept blocks (see the module's docstring)."""
    acronyms = context.acronyms

    def terms(found: Iterable[Concept]) -> tuple[tuple[str, ...], ...]:
        out: dict[str, tuple[str, ...]] = {}
        for concept in found:
            synonyms = _synonyms(concept.term, acronyms)
            key = _canonical(concept.key, acronyms)
            if key not in out and not any(key in (s.lower() for s in other) for other in out.values()):
                out[key] = synonyms
        return tuple(out.values())[:MAX_BLOCK_TERMS]

    named = terms(concepts.of(INTERVENTION))
    exposures = terms(concepts.of(EXPOSURE))
    interventions = named or exposures  # what the sentence says acts, when it names no treatment
    conditions = terms(concepts.of(CONDITION))
    outcomes = terms(concepts.of(OUTCOME))
    targets = terms(concepts.of(TARGET))
    main_i = (context.main_intervention,) if context.main_intervention else ()
    main_c = (context.main_condition,) if context.main_condition else ()
    use, fixed = type_blocks()[claim_type]
    type_block = Block(claim_type, fixed=fixed)
    blocks: list[Block] = []

    def add(role: str, found: tuple[tuple[str, ...], ...]) -> None:
        taken = {s.lower() for block in blocks for synonyms in block.terms for s in synonyms}
        found = tuple(t for t in found if not any(s.lower() in taken for s in t))
        if found:
            blocks.append(Block(role, found[:MAX_BLOCK_TERMS]))

    if claim_type == "combination-therapy":
        for synonyms in interventions:
            add(INTERVENTION, (synonyms,))
        add("condition or outcome", conditions + outcomes or main_c)
    elif claim_type == "prevalence":  # how many have the condition (or use the treatment)
        add("condition or outcome", conditions + outcomes or (main_c if not interventions else ()))
        add("treatment", interventions)
    elif claim_type == "comorbidity":  # the condition, and those that come with it
        add(CONDITION, conditions[:1] or main_c)
        add("co-occurring condition", conditions[1:] + outcomes)
    elif claim_type == "epidemiology":
        if interventions:  # an exposure linked to conditions ("low magnesium levels are linked to insomnia")
            add("exposure", interventions)
            add("condition or outcome", conditions + outcomes or main_c)
        else:  # what the condition is, does and comes from
            add(CONDITION, conditions[:1] or main_c)
            add("related concepts", conditions[1:] + outcomes + targets)
    elif claim_type == "mechanism":  # what acts in a mechanism is often a part of the treatment: keep the treatment
        add(INTERVENTION, named or main_i or exposures)
        add("target", targets + exposures + outcomes + conditions or main_c)
    elif claim_type == "safety":
        add(INTERVENTION, interventions or main_i)
        add("harm or population", conditions + outcomes + targets)
    elif claim_type == "regulatory":
        add(INTERVENTION, interventions or main_i)
        add(CONDITION, conditions)
    else:  # efficacy, speed, durability, indication
        add(INTERVENTION, interventions or main_i)
        add("condition or outcome", conditions + outcomes or main_c)
    if use == "always" or len(blocks) < 2:
        blocks.append(type_block)
    if len(blocks) < 2:
        add("other concepts", targets or main_i or main_c)
    return tuple(blocks)


def draft_article(article: Article, text: str | None = None, *, limit: int | None = None) -> tuple[Decision, ...]:
    """For each sentence of ``article``: drafted (with its claim type, the cue that decided it, PICO slots and
    concept blocks) or left out, and why. ``text`` (the article as given) is read for its abbreviations. With
    ``limit``, drafting stops at the draft after the limit (the caller refuses so many)."""
    sentences = article.sentences
    context = _context(sentences, text if text is not None else " ".join(s.text for s in sentences))
    decisions = []
    drafted = 0
    for sentence in sentences:
        decision = _decide(sentence, context)
        decisions.append(decision)
        drafted += decision.draft is not None
        if limit is not None and drafted > limit:
            break
    return tuple(decisions)


def _left_out(text: str, concepts: SentenceConcepts) -> str:
    """Why a sentence is no claim whatever its words (a question, a call to action, a line about the article, too
    short), or ""."""
    if text.rstrip("\"”’')").endswith("?"):
        return "a question"
    if text.endswith(":"):
        return "a line that introduces a list"
    kind = _first_match(non_claim_patterns(), text)
    if kind:
        return kind
    if _is_imperative(concepts):
        return "call to action"
    if len([t for t in concepts.tokens if not t.punct]) < MIN_CLAIM_WORDS:
        return "too short to check"
    return ""


def _decide(sentence: Sentence, context: ArticleContext) -> Decision:
    text = sentence.text
    concepts = _read_concepts(text, context.acronyms, context.known)
    cues = tuple(name for name, pattern in claim_cue_patterns() if pattern.search(text))
    why = _left_out(text, concepts)
    if why:
        return Decision(sentence, f"left out: {why}", cues)
    interventions = concepts.of(INTERVENTION, EXPOSURE)
    referred = bool(concepts.of(TREATMENT_WORD, EFFECT_WORD)) and bool(context.main_intervention)
    claim_type, type_cue = _type_of(text, len(interventions), bool(interventions) or referred, sentence.section)
    typed = type_cue.split(":", 1)[0] == claim_type and "\u201c" in type_cue
    if not cues and not typed:
        return Decision(sentence, "left out: no claim cue", cues)
    if not concepts.of(INTERVENTION, EXPOSURE, CONDITION, OUTCOME, TARGET) and not referred:
        return Decision(sentence, "left out: no health concept", cues)
    if typed and claim_type not in cues:
        cues = (*cues, claim_type)
    draft = Draft(claim_type=claim_type, type_cue=type_cue, blocks=_blocks(claim_type, concepts, context),
                  subjects=_subjects(concepts, claim_type), **_pico(text, concepts))
    return Decision(sentence, "drafted", cues, draft)


# -- queries -------------------------------------------------------------------------------------------------------
def _tiab(term: str) -> str:
    term = re.sub(r"[\"\[\]()]", "", term).strip()
    if re.fullmatch(r"[A-Za-z0-9]+", term):
        return f"{term}[Title/Abstract]"
    return f'"{term}"[Title/Abstract]'


def render_query(blocks: Sequence[Block], mesh: Mapping[str, Sequence[str]] | None = None) -> str:
    """The PubMed query of ``blocks``: each block's terms ORed (a term's MeSH headings first, from ``mesh``: term ->
    headings as PubMed's automatic term mapping names them), the blocks ANDed."""
    mesh = mesh or {}
    parts = []
    for block in blocks:
        if block.fixed:
            parts.append(f"({block.fixed})")
            continue
        items: list[str] = []
        for synonyms in block.terms:
            for synonym in synonyms:
                for heading in mesh.get(synonym, ()):
                    item = f'"{heading}"[MeSH Terms]'
                    if item not in items:
                        items.append(item)
            for synonym in synonyms:
                item = _tiab(synonym)
                if item not in items:
                    items.append(item)
        parts.append(f"({' OR '.join(items)})")
    return " AND ".join(parts)


def query_terms(blocks: Sequence[Block]) -> tuple[str, ...]:
    """Every term a draft searches (each synonym of each block; a claim type's own block excepted)."""
    return tuple(dict.fromkeys(s for block in blocks for synonyms in block.terms for s in synonyms))
