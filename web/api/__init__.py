"""JSON API under /api/ (placeholder: filled by its owner)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
