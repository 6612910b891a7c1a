"""Blueprint `ussd` (being built)."""
from flask import Blueprint

bp = Blueprint("ussd", __name__, url_prefix="/hooks/ussd")
