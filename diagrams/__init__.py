"""Drawings of models, cases and before/after comparisons (graphviz), and BPMN DI layout; no Flask here."""
