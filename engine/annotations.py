"""Step annotations (spiffworkflow:properties) and their rules; see docs/modeling.md. (Owner: process library.)"""
from __future__ import annotations
