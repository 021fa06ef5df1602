"""Generators of certified constructions (DESIGN.md §2)."""
