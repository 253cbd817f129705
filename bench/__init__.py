"""Standalone benchmark scripts (see bench/README.md); a package so tests can import the runner."""
