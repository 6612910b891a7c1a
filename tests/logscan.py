"""No personal data and no secret in the logs of the whole suite (issue 11, item 6).

A pytest plugin (loaded by tests/conftest.py): every log record any test causes, at INFO and above (what
production writes: GRS_LOG_LEVEL defaults to INFO), or lower where a test asks for it, goes to one file
per process — each xdist worker its own. When the run ends, the controlling process reads each file and
fails the run, naming the test and the line, if one holds a phone number, a name or complaint text the
tests use, a password, an API token or the Africa's Talking callback key.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

import pytest

ENV = "GRS_LOGSCAN_DIR"

# Personal data and secrets the tests use (tests/builders.py, tests/http/test_security.py, tests/conftest.py).
NEEDLES = (
    "Rahima Begum", "My allowance was not paid this quarter", "asked me for 500 taka", "secretary Jamal",
    "Chairman Karim suspended", "correct-horse-1", "Rahima-secret", "at-test-key", "demo-pass-2026",
)
PATTERNS = (
    ("a phone number", re.compile(r"(?<![\d•])(?:\+?880|0)1[3-9]\d{8}(?!\d)")),  # Bangladesh, full, unmasked
    ("a phone number", re.compile(r"(?<![\d•])\+(?:234|223|252)\d{8,10}(?!\d)")),  # Nigeria, Mali, Somalia
    ("an API token", re.compile(r"grs_[A-Za-z0-9_-]{30,}")),
)


def findings(text: str) -> list[tuple[str, str]]:
    """(what, line) for each line of a log that holds personal data or a secret."""
    out = []
    for line in text.splitlines():
        for needle in NEEDLES:
            if needle in line:
                out.append((repr(needle), line))
        for what, pattern in PATTERNS:
            if pattern.search(line):
                out.append((what, line))
    return out


class _TestId(logging.Filter):
    """Stamps each record with the test that was running (and never drops one)."""

    nodeid = "-"

    def filter(self, record: logging.LogRecord) -> bool:
        record.grs_test = self.nodeid
        return True


_stamp = _TestId()


def _worker(config) -> str | None:
    return getattr(config, "workerinput", {}).get("workerid")


def pytest_configure(config) -> None:
    if _worker(config) is None:
        os.environ[ENV] = tempfile.mkdtemp(prefix="grs-logscan-")  # the workers, started later, inherit it
    folder = Path(os.environ.get(ENV) or tempfile.mkdtemp(prefix="grs-logscan-"))
    handler = logging.FileHandler(folder / f"{_worker(config) or 'main'}.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(_stamp)
    handler.setFormatter(logging.Formatter("[%(grs_test)s] %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    config.stash[_HANDLER] = handler


_HANDLER = pytest.StashKey[logging.Handler]()


def pytest_runtest_logstart(nodeid, location) -> None:
    _stamp.nodeid = nodeid


def pytest_sessionfinish(session, exitstatus) -> None:
    handler = session.config.stash.get(_HANDLER, None)
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
    if _worker(session.config) is not None:
        return  # the controlling process checks every worker's file once they have all finished
    folder = Path(os.environ.get(ENV, ""))
    problems = []
    for path in sorted(folder.glob("*.log")):
        problems += [(path.stem, what, line) for what, line in findings(path.read_text(encoding="utf-8"))]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if problems:
        if reporter is not None:
            reporter.write_sep("=", "personal data or a secret reached the logs (tests/logscan.py)", red=True)
            for worker, what, line in problems[:30]:
                reporter.write_line(f"{worker}: {what}: {line[:300]}")
            if len(problems) > 30:
                reporter.write_line(f"... {len(problems) - 30} more in {folder}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        for path in folder.glob("*.log"):
            path.unlink()
        try:
            folder.rmdir()
        except OSError:
            pass
