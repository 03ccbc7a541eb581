"""Every error the package raises, under one root.

    EvidenceError
    ├── ConfigurationError      bad or missing setting (NCBI_EMAIL, EVIDENCE_MODE, ...)
    ├── DataError               a project file is malformed (file, line, column)
    ├── RuleError               a rule table in rules/ is malformed or names an unknown option
    ├── InputError              a bad argument (a malformed PMID or DOI, an unknown claim id)
    ├── NetworkError            NCBI could not be reached (connection, timeout)
    │   └── RateLimitError      NCBI kept answering 429 after every retry
    ├── NCBIError               NCBI answered, but with an error (HTTP status or <ERROR> body)
    ├── RegistryError           ClinicalTrials.gov answered, but with an error (HTTP status, a count mismatch)
    ├── ParseError              a response is not the XML we expect (truncated, wrong root)
    ├── CacheError              the cache cannot answer
    │   └── CacheMissError      offline mode and the request was never cached
    └── LockError               another run holds a project file's lock past the wait

Messages say what went wrong, where, and what to do. URLs in messages never carry
the API key or the e-mail address (see ``redact_url``).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "CacheError",
    "CacheMissError",
    "ConfigurationError",
    "DataError",
    "EvidenceError",
    "InputError",
    "LockError",
    "NCBIError",
    "NetworkError",
    "ParseError",
    "RateLimitError",
    "RegistryError",
    "RuleError",
    "redact_url",
]

SECRET_PARAMS = frozenset({"api_key", "email"})


def redact_url(url: str) -> str:
    """Return ``url`` with secret query parameters (api_key, email) masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


class EvidenceError(Exception):
    """Root of every error raised by ``evidence``."""


class ConfigurationError(EvidenceError):
    """A setting is missing or invalid."""


class DataError(EvidenceError):
    """A project file is malformed; carries the file, line and column."""

    def __init__(self, message: str, *, file: str, line: int | None = None, column: str | None = None, fix: str = ""):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.fix = fix
        where = file
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        text = f"{where}: {message}"
        if fix:
            text += f" Fix: {fix}"
        super().__init__(text)


class RuleError(EvidenceError):
    """A rule table (``rules/<table>.csv``) is malformed, or a lookup names an option it lacks."""

    def __init__(self, message: str, *, table: str, row: int | None = None, options: tuple[str, ...] = ()):
        self.table = table
        self.row = row
        self.options = options
        where = f"rules/{table}.csv" + (f", row {row}" if row is not None else "")
        text = f"{where}: {message}"
        if options:
            text += f" Valid options: {', '.join(options)}."
        super().__init__(text)


class InputError(EvidenceError):
    """A bad argument from the caller: a malformed PMID or DOI, an unknown claim id."""


class NetworkError(EvidenceError):
    """NCBI could not be reached (connection refused or reset, timeout)."""

    def __init__(self, message: str, *, url: str = ""):
        self.url = redact_url(url)
        super().__init__(message)


class RateLimitError(NetworkError):
    """NCBI kept answering 429 Too Many Requests."""


class NCBIError(EvidenceError):
    """NCBI answered with an error status or an <ERROR> body."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        self.url = redact_url(url)
        self.status = status
        super().__init__(message)


class RegistryError(EvidenceError):
    """ClinicalTrials.gov answered with an error status, or pages that do not add up."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        self.url = redact_url(url)
        self.status = status
        super().__init__(message)


class ParseError(EvidenceError):
    """A response or record is not the XML we expect."""

    def __init__(self, message: str, *, source: str = "", pmid: str | None = None):
        self.source = source
        self.pmid = pmid
        super().__init__(message)


class CacheError(EvidenceError):
    """The cache cannot answer a request."""


class CacheMissError(CacheError):
    """Offline mode, and the request is not in the cache."""

    def __init__(self, message: str, *, util: str, params: dict[str, str], path: str):
        self.util = util
        self.params = params
        self.path = path
        super().__init__(message)


class LockError(EvidenceError):
    """A project file's lock could not be taken in time: another run is writing it."""

    def __init__(self, message: str, *, path: str):
        self.path = path
        super().__init__(message)
