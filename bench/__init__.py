"""Benchmarks for issue 8; see bench/README.md. Run as `python -m bench.<name>`."""
