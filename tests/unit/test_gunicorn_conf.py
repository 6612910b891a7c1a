"""The production server's settings: each worker freezes what it loaded before serving (gc.freeze)."""
import gc
import os
import runpy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_worker_moves_what_it_loaded_out_of_the_collectors_sight():
    settings = runpy.run_path(os.path.join(ROOT, "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
