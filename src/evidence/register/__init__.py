"""The project's own data: claims.csv, the evidence register (studies, evidence, overrides), search
filters, and the refresh that checks the register against PubMed."""
