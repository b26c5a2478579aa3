"""Words of the domain that code compares against (DESIGN.md, "Vocabulary"); defined here once."""
from __future__ import annotations

VARIANTS = ("before", "after")  # legacy, department by department; reengineered
APPLICANT = "Applicant"  # the lane (and department) of the applicant in every model
ROLES = ("designer", "clerk", "auditor", "admin")  # what an account may be (engine/accounts/access.py)
SOURCES = ("real", "simulated", "imported")  # where a finished case came from; measured figures never mix them
# A case's status: running moves on; suspended waits for an admin to resume it; error waits for a retry (or a
# cancel); completed and cancelled are over (engine/cases/admin.py says which admin action each allows)
STATUSES = ("running", "suspended", "error", "completed", "cancelled")
OPEN_STATUSES = ("running", "suspended", "error")  # not over: the case's time limit still runs
# the province's tree (engine/regions/tree.py): a region's children are one level down; the root is the province
ROOT_REGION = "province"  # the root region: every account, case and version made before regions is in it
REGION_LEVELS = ("province", "city", "county")  # a county stands for a county or a district (县/区)
