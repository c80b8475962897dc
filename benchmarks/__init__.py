"""Benchmarks of issue 6: ``python -m benchmarks`` runs every scenario (see README.md here)."""
