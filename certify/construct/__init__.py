"""Generators of certified constructions (README, "The mathematics": Stages A, B, C)."""
