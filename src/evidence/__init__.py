"""evidence: check the claims of a health article against PubMed, reproducibly.

The package follows the data's way through the program, each layer importing only those below it:

    errors, settings, vocab, files, rules   the base: one error tree, configuration, vocabularies, rule tables
    sources    the transport seam, the caching layer, PubMed and its records
    register   claims.csv, the evidence register and its refresh against PubMed
    judge      study design, certainty and verdict
    present    tables, styles, figures, notebook sections, generated notebooks, the book, the writer's brief
    cli        the ``evidence`` command; scaffold, ``evidence init`` (a new project for another article)
"""

__version__ = "0.2.0"

from .errors import EvidenceError  # noqa: E402
from .judge.verdict import Assessment, assess_claim, assess_register  # noqa: E402
from .register.claims import Claim, load_claims  # noqa: E402
from .register.studies import Register, load_register  # noqa: E402
from .settings import Settings  # noqa: E402
from .sources.pubmed import PubMed  # noqa: E402

__all__ = [
    "Assessment",
    "Claim",
    "EvidenceError",
    "PubMed",
    "Register",
    "Settings",
    "__version__",
    "assess_claim",
    "assess_register",
    "load_claims",
    "load_register",
]
