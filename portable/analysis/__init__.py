"""Analyses every backend shares: memory effects, uniformity, barrier placement."""
