from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve ComplaintDesk (gunicorn) and, unless --no-worker, a job consumer beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("CD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CD_PORT", "8000")))
        # Two processes keep both cores of the smallest supported machine busy (the GIL holds
        # one process to one core) and each process costs ~80 MB; bench/intake.py measured no
        # throughput gain from a third on two cores. Larger machines set CD_WEB_WORKERS.
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CD_WEB_WORKERS", "2")),
                            help="web worker processes (default 2, or CD_WEB_WORKERS)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("CD_WEB_THREADS", "4")),
                            help="threads per web worker (default 4, or CD_WEB_THREADS)")
        parser.add_argument("--no-worker", action="store_true", help="do not start a job consumer")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        # In a child process: what collecting and compressing allocates would otherwise stay in
        # this process's heap and count again in every forked web worker's RSS (about 8 MB each).
        subprocess.run([sys.executable, "-m", "complaintdesk.cli", "collectstatic", "--noinput", "--verbosity", "0"],
                       check=True)
        worker: subprocess.Popen[bytes] | None = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "complaintdesk.cli", "worker"])

        from complaintdesk.wsgi import application

        bind = f"{options['host']}:{options['port']}"
        gunicorn_options = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread" if options["threads"] > 1 else "sync",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 60,
            "graceful_timeout": 10,
            "backlog": 2048,
        }

        class App(BaseApplication):
            def load_config(self) -> None:
                for key, value in gunicorn_options.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        db = settings.DATABASES["default"]
        self.stdout.write(
            f"ComplaintDesk serving on http://{bind}  (database: {db['ENGINE'].rsplit('.', 1)[-1]} "
            f"{db['NAME']}; jobs: {'Redis' if settings.REDIS_URL else 'SQLite'})"
        )
        self.stdout.write(f"API docs: http://{bind}/api/v1/docs")
        self.stdout.flush()
        try:
            App().run()
        finally:
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
