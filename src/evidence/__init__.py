"""evidence: check a health article's claims against PubMed, reproducibly."""

__version__ = "0.1.0"
