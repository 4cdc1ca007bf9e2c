"""`coproduce serve`: the site and the API on gunicorn, a production WSGI server."""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import tempfile
from typing import Any

import click
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from service.cli.support import opened, refused, refusals, require_store


class Worker(ThreadWorker):
    """Gunicorn's threaded worker, which stops listening as soon as it finds its master gone (killed):
    it still finishes what it was answering, but new connections go to a server started again
    meanwhile on the same port (`reuse_port`) instead of waiting, unanswered, until this one exits."""

    def is_parent_alive(self) -> bool:
        if super().is_parent_alive():
            return True
        for listener in self.sockets:  # its own (with reuse_port each worker binds the port itself)
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
        return False


class Log(Logger):
    """Gunicorn's logger, saying where it listens. With `reuse_port` the master binds nothing (each worker
    binds the port itself), so gunicorn's own line named no address: "Listening at:  (8796)"."""

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if msg.startswith("Listening at:") and args and not args[0]:
            args = (",".join(f"http://{address}" for address in self.cfg.bind), *args[1:])
        super().info(msg, *args, **kwargs)


class Server(BaseApplication):
    """Gunicorn, configured in code rather than from a file."""

    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """In each worker process: the site, then what start-up made frozen out of the garbage collector's
        full collections (it lives as long as the process). One such collection walked the ~190,000
        objects of start-up and took 101 ms, a pause every few hundred requests."""
        from service import create_app

        app = create_app()
        gc.freeze()
        return app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per worker.")
@refusals
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the site (at /) and the HTTP API (docs at /api/v1/docs, OpenAPI at /api/v1/openapi.json)."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # must be set before prometheus_client is first imported, so that every worker shares it
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="coproduce-metrics-")
    from service.bootstrap import open_application
    from service.http.observability import configure_logging

    require_store()  # a mistyped path is refused, never served as a new, empty store
    opened(open_application).close()  # create the store's tables once, before the workers start
    refuse_unless_listening_possible(host, port)
    configure_logging()
    site = f"http://{host}:{port}"
    click.echo(f"Coproduce is serving the site at {site} and the API at {site}/api/v1 (reference: {site}/api/v1/docs)")
    Server(server_options(host, port, workers, threads)).run()


def refuse_unless_listening_possible(host: str, port: int) -> None:
    """Refused in one line when the address cannot be listened at (a name that does not resolve, an
    address not on this host, a port taken by another program or not allowed): gunicorn's workers
    would otherwise fail to bind it, and be started again, for ever. A port held by another server
    of ours with `reuse_port` (one killed a moment ago) is fine."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        refused(f"cannot listen at {host}:{port}: the host name does not resolve ({error}). Give --host "
                "an address of this machine, such as 127.0.0.1 or 0.0.0.0")
    family, kind, proto, _, address = addresses[0]
    try:
        with socket.socket(family, kind, proto) as trial:
            trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            trial.bind(address)
    except OSError as error:
        refused(f"cannot listen at {host}:{port}: {error.strerror or error}. Give --host an address of this "
                "machine and --port a port that no other program uses")


def server_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """Gunicorn's settings. Its limits on the request line and headers sit above the application's own
    (service/http/factory.py), so that the application answers those with problem+json; only requests past
    gunicorn's limits too get gunicorn's plain HTML 414 or 431. 8190 is the most gunicorn allows for
    the request line: it fits the application's 8000-byte address with any method and version.

    `reuse_port`: when a server's master is killed (kill -9), its workers keep the port until they
    notice (within a second) and finish what they were answering (up to `graceful_timeout`); without
    it a server started again meanwhile failed with "Connection in use" and exited."""
    from service.http.factory import MAX_HEADER_BYTES, MAX_HEADERS

    return {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": Worker,
            "accesslog": None, "logger_class": Log, "graceful_timeout": 10, "timeout": 60, "child_exit": _forget_metrics,
            "reuse_port": True,  # a server started again at once binds beside what a killed one left behind
            "limit_request_line": 8190, "limit_request_field_size": 2 * MAX_HEADER_BYTES,
            "limit_request_fields": MAX_HEADERS + 28}


def _forget_metrics(_server, worker) -> None:
    """A worker's metric files go with it (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
