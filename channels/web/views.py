"""Blueprint `web` (being built)."""
from flask import Blueprint

bp = Blueprint("web", __name__)
