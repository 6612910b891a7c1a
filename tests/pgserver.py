"""A throwaway PostgreSQL 15 server for the test suite and benchmarks (runs as `postgres` when root)."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

BINDIR = os.environ.get("GRS_PG_BINDIR", "/usr/lib/postgresql/15/bin")


def available() -> str | None:
    """None when a server can be started here, else the reason it cannot."""
    if not os.path.exists(os.path.join(BINDIR, "initdb")):
        return f"PostgreSQL 15 binaries not found in {BINDIR} (apt-get install postgresql-15)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no 'postgres' system user to run the server"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """initdb + pg_ctl start on a private port and socket directory; `url(db)` for SQLAlchemy."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="grs-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        cmd = [os.path.join(BINDIR, args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def start(self) -> "PgServer":
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.root, "server.log"), "-w",
                  "-t", "60", "start")
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.root}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        for attempt in range(20):
            try:
                with psycopg.connect(host=self.root, port=self.port, user="postgres", dbname="postgres",
                                     autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    conn.execute(f'CREATE DATABASE "{name}"')
                return self.url(name)
            except psycopg.OperationalError:
                time.sleep(0.25)
        raise RuntimeError("PostgreSQL did not accept connections")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
