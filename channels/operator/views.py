"""Blueprint `operator` (being built)."""
from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/operator")
