"""Words of the domain that code compares against (DESIGN.md, "Vocabulary"); defined here once."""
from __future__ import annotations

VARIANTS = ("before", "after")  # legacy, department by department; reengineered
APPLICANT = "Applicant"  # the lane (and department) of the applicant in every model
