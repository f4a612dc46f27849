"""Benchmarks for loa: `python -m benchmarks.run [--quick] [--only NAME] [--json PATH]`."""
