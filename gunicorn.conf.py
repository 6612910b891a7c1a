"""The production web server's settings (gunicorn -c gunicorn.conf.py 'grs:create_app()'); GRS_BIND,
GRS_WORKERS and GRS_THREADS override the defaults. Web workers only: the scheduler runs apart
(`grs scheduler`, docs/operations.md)."""
import multiprocessing
import os

bind = os.environ.get("GRS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GRS_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GRS_THREADS") or 1)
timeout = 30
graceful_timeout = 30
forwarded_allow_ips = os.environ.get("GRS_TRUSTED_PROXIES", "127.0.0.1")

# The access log without secrets or personal data: callback keys and phones in query strings, tracking
# codes in paths are hidden (grs/logredact.py). The request line is the redacted one.
accesslog = "-"
logger_class = "grs.logredact.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s"'


def post_worker_init(worker):
    """Once the worker has loaded the app: move everything loaded so far (modules, the app, its metadata
    and templates) out of the garbage collector's sight. A full collection otherwise walks all of it
    while a request builds its answer (the office league of 5,000 offices: 100 ms of 440 in one run of
    three, docs/performance.md); what requests create is still collected as before."""
    import gc

    gc.freeze()
