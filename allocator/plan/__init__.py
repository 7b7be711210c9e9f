"""The plan: a solution in the case's own words, as pandas tables keyed by case ids."""

from allocator.plan.extract import extract_plan
from allocator.plan.tables import Plan

__all__ = ["Plan", "extract_plan"]
