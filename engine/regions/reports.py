"""The auditor's reports across regions, in one place for the engine's facade: the ranking of the regions on a
matter, the province view of every matter, and `onething compare --by-region` (issue #13 items 3, 4)."""
from __future__ import annotations

from engine.regions.by_region import compare_by_region
from engine.regions.province import ADOPTED, MatterProvince, ProvinceView, RegionSaving, province_view
from engine.regions.ranking import SORTS as RANKING_SORTS, RegionRanking, RegionRow, region_ranking

__all__ = ["ADOPTED", "RANKING_SORTS", "MatterProvince", "ProvinceView", "RegionRanking", "RegionRow", "RegionSaving",
           "compare_by_region", "province_view", "region_ranking"]
