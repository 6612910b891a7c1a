"""Blueprint `sms` (being built)."""
from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/hooks/sms")
