"""evidence: check the claims of a health article against PubMed, reproducibly.

The package follows the data's way through the program, each layer importing only those below it:

    errors, settings, vocab, files, rules   the base: one error tree, configuration, vocabularies, rule tables
    sources    the transport seam, the caching layer, PubMed and its records
    register   claims.csv, the evidence register and its refresh against PubMed
    judge      study design, certainty and verdict
    present    tables, styles, figures, notebook sections, generated notebooks, the book, the writer's brief
    cli        the ``evidence`` command; scaffold, ``evidence init`` (a new project for another article)
"""

from .errors import EvidenceError
from .judge.verdict import Assessment, assess_claim, assess_project, assess_register
from .register.claims import Claim, load_claims
from .register.project import Project, Register, load_project, load_register
from .settings import Settings
from .sources.pubmed import PubMed
from .version import __version__

__all__ = [
    "Assessment",
    "Claim",
    "EvidenceError",
    "Project",
    "PubMed",
    "Register",
    "Settings",
    "__version__",
    "assess_claim",
    "assess_project",
    "assess_register",
    "load_claims",
    "load_project",
    "load_register",
]
