"""The deployment files in deploy/ name what the repository really has, and keep durability on."""
import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_each_unit_runs_a_command_the_project_installs(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / unit)
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    start = parser["Service"]["ExecStart"]
    program = start.split()[0].rsplit("/", 1)[-1]
    scripts = (ROOT / "pyproject.toml").read_text()
    assert program in ("gunicorn", "grs") and (program == "gunicorn" or 'grs = "grs.cli:main"' in scripts
                                                or re.search(r'^grs\s*=', scripts, re.M)), start
    if program == "gunicorn":
        assert "gunicorn.conf.py" in start and (ROOT / "gunicorn.conf.py").exists()
    else:
        assert start.split()[1:3] in (["scheduler"], ["intake", "work"], ["outbox", "work"]), start
    assert parser["Service"]["EnvironmentFile"] == "/etc/grs/grs.env"


def test_the_database_settings_keep_every_acknowledged_complaint():
    settings = dict(re.findall(r"^(\w+)\s*=\s*(\S+)", (DEPLOY / "postgresql.conf").read_text(), re.M))
    assert settings["fsync"] == "on" and settings["synchronous_commit"] == "on"
    assert settings["full_page_writes"] == "on" and settings["log_statement"] == "none"


def test_the_example_environment_names_only_settings_the_app_reads():
    from grs.config import ENV_SETTINGS

    names = re.findall(r"^(GRS_\w+)=", (DEPLOY / "grs.env.example").read_text(), re.M)
    known = set(ENV_SETTINGS) | {"GRS_ENV", "GRS_DATABASE_URL", "GRS_SECRET_KEY", "GRS_BIND"}
    assert names and set(names) <= known, set(names) - known

