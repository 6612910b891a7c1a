"""The `grs` command: a Flask CLI group bound to the app factory."""
from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from channels.outbox import dispatch
from escalation.admin import load_policies
from escalation.scheduler import run_forever, start_in_process
from escalation.sweep import sweep

from . import backup as backups
from . import statistics
from .demo import load_demo
from .errors import DomainError
from .extensions import db
from .logredact import install_werkzeug_filter
from .models import AdminEvent, SlaPolicy
from .phones import normalise
from .services.accounts import create_token, create_user
from .services.actors import Actor
from .services.areas import import_areas
from .services.admin_audit import verify_admin_chain
from .services import retention
from .services.history import verify_chains
from .services.imports import ImportRejected, as_csv, as_xlsx, error_rows, import_grievances
from .timeutil import parse_iso, utcnow
from .uow import unit_of_work


def _instant(text: str | None):
    """--now as aware UTC (naive means UTC), or the current time; a clear error for anything else."""
    if not text:
        return utcnow()
    try:
        return parse_iso(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time, e.g. 2026-12-03T10:00+06:00",
                                 param_hint="--now")


def _fail(e: DomainError) -> None:
    msg = e.message + ("".join(f"\n  {k}: {v}" for k, v in e.fields.items()) if e.fields else "")
    raise click.ClickException(msg)


@click.command("import-areas")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--with-offices", is_flag=True, help="Also create one grievance office per area at office tiers.")
@with_appcontext
def import_areas_cmd(path: str, with_offices: bool) -> None:
    """Load an administrative hierarchy CSV (code, parent_code, level, name_en, and name_local for the pack's
    local language or name_bn, name_fr, ... for names in other languages), e.g. grs/packs/ng/areas.csv."""
    try:
        with unit_of_work() as uow:
            report = import_areas(uow, path, uow.settings.country, with_offices=with_offices,
                                  actor=Actor.system("cli"))
    except DomainError as e:
        _fail(e)
    for line in report.lines():
        click.echo(line)


@click.group("import")
def import_group() -> None:
    """Bulk imports (`grs import-areas` loads the geography)."""


@import_group.command("grievances")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="On errors, write the rows with an `errors` column to this .csv or .xlsx file.")
@with_appcontext
def import_grievances_cmd(path: str, report_path: str | None) -> None:
    """Paper forms and complaint-box slips from a .csv or .xlsx file: every row lands, or none (exit 1)."""
    with open(path, "rb") as fh:
        data = fh.read()

    def progress(stage: str, done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            click.echo(f"{stage} {done}/{total} rows", err=True)

    try:
        with unit_of_work() as uow:
            result = import_grievances(uow, path, data, actor=Actor.system("cli:import"), now=utcnow(),
                                       progress=progress)
    except ImportRejected as e:
        for err in e.result.errors:
            where = (f"row {err.row}" if err.row else "file") + (f", {err.column}" if err.column else "")
            click.echo(f"{where}: {err.message % err.params if err.params else err.message}")
        if report_path:
            rows = error_rows(e.result)
            with open(report_path, "wb") as fh:
                fh.write(as_xlsx({"errors": rows}) if report_path.lower().endswith(".xlsx") else as_csv(rows))
            click.echo(f"error report written to {report_path}")
        click.echo(f"nothing imported: {len(e.result.errors)} error(s); correct them and run again")
        sys.exit(1)
    except DomainError as e:
        _fail(e)
    for number, code in result.lodged:
        click.echo(f"row {number}: lodged {code}")
    for number, code in result.already:
        click.echo(f"row {number}: already imported as {code}")
    click.echo(f"imported {len(result.lodged)} grievance(s), {len(result.already)} already imported"
               + (f", {len(result.skipped)} example row(s) skipped" if result.skipped else ""))


@click.group("export")
def export_group() -> None:
    """Grievance lists as files, read and written in batches."""


PROGRESS_EVERY = 10_000  # rows between progress lines on stderr


@export_group.command("grievances")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--open-data", is_flag=True,
              help="The depersonalised open data of /public/open-data/grievances.csv instead of the full list.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (default: standard output).")
@with_appcontext
def export_grievances_cmd(fmt: str, open_data: bool, out_path: str | None) -> None:
    """Every grievance: the columns of GET /api/v1/grievances?format= as a national admin gets them
    (sensitive cases and complainants included), or with --open-data the public depersonalised file."""
    from channels.web import open_data as public

    from .api import exports

    now = utcnow()
    if open_data:
        columns, total = public.COLUMNS, None
        rows = public.rows(current_app.config["COUNTRY"], current_app.config["SECRET_KEY"], batch=public.BATCH)
        name = "open-data-grievances"
    else:
        columns, total = exports.GRIEVANCE_COLUMNS + exports.PERSONAL_COLUMNS, exports.count_all()
        rows = exports.every_grievance_row(now=now)
        name = "grievances"
    counted = {"n": 0}

    def progress(source):
        for row in source:
            yield row
            counted["n"] += 1
            if counted["n"] % PROGRESS_EVERY == 0:
                click.echo(f"{counted['n']}" + (f"/{total}" if total is not None else "") + " rows", err=True)

    target = out_path or "standard output"
    if out_path:
        with open(out_path, "wb") as out:
            exports.write_file(fmt, columns, progress(rows), out, title=name)
    else:
        stream = sys.stdout.buffer
        exports.write_file(fmt, columns, progress(rows), stream, title=name)
        stream.flush()
    click.echo(f"exported {counted['n']} grievance(s) to {target}", err=True)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True)
@click.option("--area", "area_code", help="Area code the account is scoped to (default: the whole country).")
@click.option("--office", "office_code", help="Office code, for officers.")
@click.option("--name", default="")
@click.option("--sensitive", is_flag=True, help="May see sensitive grievances (SEA/GBV, corruption).")
@click.option("--appellate", is_flag=True, help="An appellate officer of the office: hears the appeals reaching it.")
@click.option("--language", default="en")
@with_appcontext
def create_user_cmd(email, password, role, area_code, office_code, name, sensitive, appellate, language) -> None:
    """Create a staff account scoped to an area."""
    try:
        with unit_of_work() as uow:
            user = create_user(uow, email, password, role, area_code=area_code, office_code=office_code,
                               name=name, can_see_sensitive=sensitive, appellate=appellate,
                               language=language, actor=Actor.system("cli"))
            said = (f"created {user.role} {user.email} scoped to {user.area.code}"
                    + (f", office {user.office.code}" if user.office else ""))
    except DomainError as e:
        _fail(e)
    click.echo(said)


@click.command("create-token")
@click.option("--email", required=True)
@with_appcontext
def create_token_cmd(email: str) -> None:
    """Print a new API token for that user."""
    try:
        with unit_of_work() as uow:
            token = create_token(uow, email, actor=Actor.system("cli"))
    except DomainError as e:
        _fail(e)
    click.echo(token)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no grievances yet.")
@click.option("--now", "now_text", help="Build the sample year up to this ISO 8601 instant (default: now).")
@with_appcontext
def demo_cmd(if_empty: bool, now_text: str | None) -> None:
    """Load demo geography, offices, programmes, categories, users and sample grievances (idempotent)."""
    try:
        lines = load_demo(only_if_empty=if_empty, now=_instant(now_text))
    except DomainError as e:  # another country's database
        _fail(e)
    for line in lines:
        click.echo(line)


@click.group("audit")
def audit_group() -> None:
    """Integrity checks on the event history."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_cmd() -> None:
    """Recompute every grievance's event hash chain and the admin events' chain; exit 1 naming the first
    broken link if any event was edited or deleted."""
    grievances, events, problems = verify_chains()
    n_admin, admin_problems = verify_admin_chain(db.session)
    for p in problems[:50]:
        click.echo(f"FAIL {p.tracking_code} event {p.seq or '-'}: {p.problem}")
    for p in admin_problems[:50]:
        click.echo(f"FAIL admin event {p.seq}: {p.problem}")
    if problems or admin_problems:
        click.echo(f"audit verify: {len(problems)} problem(s) in {grievances} grievances / {events} events, "
                   f"{len(admin_problems)} in {n_admin} admin events")
        sys.exit(1)
    head = db.session.execute(sa.select(AdminEvent.seq, AdminEvent.hash).order_by(AdminEvent.seq.desc()).limit(1)).first()
    click.echo(f"audit verify: OK, {grievances} grievances, {events} events, {n_admin} admin events, "
               f"every chain intact" + (f" (admin head {head[0]} {head[1][:16]})" if head else ""))


@click.group("retention")
def retention_group() -> None:
    """Privacy operations on old grievances."""


@retention_group.command("anonymise")
@click.option("--older-than", "days", type=click.IntRange(min=1),
              help="Days since a decided grievance's last event (default: GRS_RETENTION_DAYS; unset: nothing runs).")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(min=1), help="Grievances per transaction.")
@with_appcontext
def retention_anonymise_cmd(days: int | None, dry_run: bool, batch: int) -> None:
    """Remove the personal data of closed, resolved and rejected grievances whose last event is older than
    DAYS, keeping the statistics and a verifiable history (docs/operations.md, "Retention")."""
    days = days or current_app.config.get("RETENTION_DAYS")
    if not days:
        raise click.ClickException("no retention period: give --older-than DAYS or set GRS_RETENTION_DAYS")
    now = utcnow()
    cutoff = now - timedelta(days=int(days))
    total = retention.count_due(db.session, cutoff)
    click.echo(f"retention: {total} grievance(s) decided with no event since {cutoff.date().isoformat()}")
    if dry_run or not total:
        db.session.rollback()
        return
    done = skipped = files = 0
    after = 0
    while True:
        with unit_of_work() as uow:
            result, after = retention.anonymise(uow, cutoff, actor=Actor.system("cli:retention"), now=now,
                                                batch=batch, after_id=after)
        if not after:
            break
        done, files = done + len(result.anonymised), files + result.files
        skipped += len(result.skipped)
        for code in result.skipped:
            click.echo(f"SKIP {code}: its history does not verify (run `grs audit verify`)")
        click.echo(f"anonymised {done}/{total}", err=True)
    click.echo(f"retention: {done} anonymised, {skipped} skipped, {files} file(s) deleted")
    if skipped:
        sys.exit(1)


@click.group("subject")
def subject_group() -> None:
    """Data-subject requests."""


@subject_group.command("export")
@click.option("--phone", required=True, help="The complainant's phone number (local or international form).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the JSON here (default: standard output).")
@with_appcontext
def subject_export_cmd(phone: str, out: str | None) -> None:
    """Everything held about one complainant, as JSON; the export is recorded as an admin event."""
    try:
        e164 = normalise(phone, current_app.config["COUNTRY"])
    except DomainError:
        raise click.BadParameter("not a phone number", param_hint="--phone")
    if e164 is None:
        raise click.BadParameter("not a phone number", param_hint="--phone")
    with unit_of_work() as uow:
        data = retention.export_subject(uow, e164, actor=Actor.system("cli"), now=utcnow())
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"subject export: {len(data['complainants'])} record(s), {len(data['grievances'])} grievance(s) "
                   f"written to {out}", err=True)
    else:
        click.echo(text)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_cmd(path: str, force: bool) -> None:
    """Back the whole database up to PATH while the app runs (SQLite: online backup; PostgreSQL: pg_dump -Fc).
    Uploaded files are not in it: back GRS_UPLOAD_DIR up beside it."""
    try:
        backups.backup(db.engine, path, overwrite=force, progress=click.echo)
    except backups.BackupError as e:
        raise click.ClickException(str(e))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that holds data (everything in it is lost).")
@with_appcontext
def restore_cmd(path: str, force: bool) -> None:
    """Restore a `grs backup` file into this (empty) database; then run `grs db upgrade` and `grs audit verify`."""
    try:
        backups.restore(db.engine, path, force=force, progress=click.echo)
    except backups.BackupError as e:
        raise click.ClickException(str(e))


@click.group("stats")
def stats_group() -> None:
    """The statistics counters."""


@stats_group.command("rebuild")
@with_appcontext
def stats_rebuild_cmd() -> None:
    """Recompute the per-day statistics counters from every grievance's events (a repair; idempotent)."""
    with unit_of_work() as uow:
        counts = statistics.recount(uow.session, country=uow.settings.country, write=True)
    click.echo(f"stats rebuild: {len(counts)} counter rows, {sum(counts.values())} counts")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-scheduler", is_flag=True, help="Serve only; run `grs scheduler` separately.")
@with_appcontext
def serve_cmd(host: str, port: int, no_scheduler: bool) -> None:
    """Development server plus the scheduler in one process."""
    app = current_app._get_current_object()
    scheduler = None
    if not no_scheduler:
        scheduler = start_in_process(app)
    # Not app.run(): Flask ignores it inside a `flask`-style CLI command.
    install_werkzeug_filter()  # no callback keys, tracking codes or phones in the request log
    try:
        run_simple(host, port, app, use_reloader=False, threaded=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@click.command("sweep")
@click.option("--now", "now_text", help="Run as if the time were this ISO 8601 instant.")
@with_appcontext
def sweep_cmd(now_text: str | None) -> None:
    """One escalation pass; prints what it did."""
    now = _instant(now_text)
    result = sweep(now)
    for line in result.lines():
        click.echo(line)


@click.command("scheduler")
@with_appcontext
def scheduler_cmd() -> None:
    """The scheduler alone, for production (one acts per deployment; others wait to take over)."""
    run_forever(current_app._get_current_object())


@click.group("outbox")
def outbox_group() -> None:
    """Outbound messages."""


@outbox_group.command("send")
@click.option("--now", "now_text", help="Run as if the time were this ISO 8601 instant.")
@with_appcontext
def outbox_send_cmd(now_text: str | None) -> None:
    """One pass of the outbound message dispatcher."""
    now = _instant(now_text)
    click.echo(dispatch(now).summary())


@outbox_group.command("work")
@with_appcontext
def outbox_work_cmd() -> None:
    """The outbox dispatcher as a loop, until SIGTERM (several may run; the scheduler also dispatches)."""
    import signal
    import threading

    from channels import outbox

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    total = outbox.work(stop=stop)
    click.echo(f"outbox: {total} messages attempted")


@click.group("intake")
def intake_group() -> None:
    """Inbound SMS and USSD complaints recorded by the webhooks, waiting for the intake worker."""


@intake_group.command("work")
@click.option("--once", is_flag=True, help="Handle what is pending, then stop (else run until SIGTERM).")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Messages per transaction.")
@with_appcontext
def intake_work_cmd(once: bool, batch: int) -> None:
    """The intake worker: turns recorded SMS and USSD complaints into grievances and answers (several may run)."""
    import signal
    import threading

    from channels.sms import intake

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    total = intake.work(batch=batch, once=once, stop=stop)
    click.echo(f"handled {total} inbound messages")


@click.group("policies")
def policies_group() -> None:
    """Time limits per tier and category."""


@policies_group.command("show")
@with_appcontext
def policies_show_cmd() -> None:
    """List the time limits in force (working days unless `calendar`) and the ladder rules."""
    for p in db.session.scalars(sa.select(SlaPolicy).order_by(SlaPolicy.kind, SlaPolicy.tier, SlaPolicy.category_id)):
        cat = p.category.code if p.category else "*"
        rules = f"  on breach {p.on_breach or 'escalate'}  warn {2 if p.warn_days is None else p.warn_days}" + (
            f"  appeal levels {p.appeal_levels}" if p.appeal_levels is not None else "") + (
            "  calendar days" if p.day_kind == "calendar" else "") + (
            "  extension without reason" if p.extension_needs_reason is False else "")
        click.echo(f"{p.kind:<9} {p.tier:<9} {cat:<16} ack {p.ack_days:>3}  resolve {p.resolve_days:>3}  "
                   f"extension {p.extension_days:>3}{rules}")


@policies_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite limits that differ (default: only add missing ones).")
@with_appcontext
def policies_load_cmd(path: str, replace: bool) -> None:
    """Load time limits from a seed file like escalation/default_policies.json."""
    try:
        with unit_of_work() as uow:
            created, updated = load_policies(uow, path, replace=replace, actor=Actor.system("cli"), now=utcnow())
    except DomainError as e:
        _fail(e)
    click.echo(f"policies: {created} created, {updated} updated")


@click.group("holidays")
def holidays_group() -> None:
    """Calendar corrections: days off, working weekend days, public holidays worked."""


@holidays_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def holidays_load_cmd(path: str) -> None:
    """Load a year's corrections from a CSV like escalation/calendars/bd-2026.csv (idempotent)."""
    import os

    from escalation import calendars

    with open(path, encoding="utf-8") as f:
        try:
            rows = calendars.read_csv(f.read())
        except ValueError as e:
            raise click.ClickException(f"{path}: {e}") from None
    try:
        with click.progressbar(length=len(rows), label="holidays", file=sys.stderr) as bar:
            last = [0]

            def progress(i: int) -> None:
                bar.update(i - last[0])
                last[0] = i

            with unit_of_work() as uow:
                counts = calendars.load(uow, rows, actor=Actor.system("cli"), now=utcnow(),
                                        target=os.path.basename(path), progress=progress)
    except DomainError as e:
        _fail(e)
    click.echo(f"holidays: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged; "
               f"{counts['deadlines_changed']} open grievances got new deadlines")


@holidays_group.command("export")
@click.option("--year", type=int, required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@with_appcontext
def holidays_export_cmd(year: int, out_path: str | None) -> None:
    """Write one year's corrections as CSV, in the format `grs holidays load` reads."""
    from escalation import calendars

    from grs.countries import profile

    text = calendars.export(db.session, year, profile(current_app.config["COUNTRY"]).local_language)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------- grs reference load|export (issue 13, item 3)
@click.group("reference")
def reference_group() -> None:
    """Programmes and categories: a reference.json document (the country packs' format)."""


@reference_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Also overwrite programmes and categories that exist (default: "
                                              "only add missing ones).")
@with_appcontext
def reference_load_cmd(path: str, replace: bool) -> None:
    """Load programmes and categories from a JSON file like grs/packs/<cc>/reference.json (all or nothing)."""
    from .services.reference_admin import load_reference

    with open(path, encoding="utf-8-sig") as f:
        try:
            doc = json.load(f)
        except ValueError as e:
            raise click.ClickException(f"{path}: not JSON ({e})") from None
    try:
        with unit_of_work() as uow:
            counts = load_reference(uow, doc, actor=Actor.system("cli"), now=utcnow(), replace=replace)
    except DomainError as e:
        _fail(e)
    for kind, c in counts.items():
        click.echo(f"{kind}: {c['created']} new, {c['updated']} updated, {c['unchanged']} unchanged")


@reference_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False), required=False)
@with_appcontext
def reference_export_cmd(path: str | None) -> None:
    """Write every programme and category as JSON (what `grs reference load` reads); stdout without PATH."""
    from .services.reference_admin import export_reference

    text = json.dumps(export_reference(db.session), ensure_ascii=False, indent=2) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)


def init_commands(app: Flask) -> None:
    for command in (import_areas_cmd, import_group, create_user_cmd, create_token_cmd, demo_cmd, audit_group, serve_cmd,
                    sweep_cmd, scheduler_cmd, outbox_group, policies_group, export_group, backup_cmd, restore_cmd,
                    retention_group, subject_group):
        app.cli.add_command(command)
    app.cli.add_command(stats_group)
    app.cli.add_command(holidays_group)
    app.cli.add_command(reference_group)
    app.cli.add_command(intake_group)


def _create_app():
    from . import create_app
    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=True,
                  help="GRS: grievance redress. Settings come from GRS_* environment variables.")
