"""Where the data come from: the transport seam, the caching layer, PubMed and its records."""
