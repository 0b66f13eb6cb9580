"""Benchmarks and the self-made test corpus for reading returned forms (not part of the installed package)."""
