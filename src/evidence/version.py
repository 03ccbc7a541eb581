"""The package's version, in the base layer so that any layer may name it without importing the package face."""

__version__ = "0.3.0"
