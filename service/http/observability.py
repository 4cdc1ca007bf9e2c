"""Health, readiness, Prometheus metrics and structured logs with a request id.

Logs never carry request bodies or personal content: a line says who (account id),
what (method, route, status) and how long, tied together by the request id.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from service.api.problems import problem

log = logging.getLogger("coproduce.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUESTS = Counter("coproduce_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("coproduce_http_request_seconds", "Time to answer an HTTP request", ["method", "route"])
CONFLICTS = Counter("coproduce_conflicts_total",
                    "Writes refused: 412 a stale If-Match; 409 a rule, a taken name or a simultaneous change",
                    ["status"])

health = Blueprint("health", __name__)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra` fields."""

    STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        line.update({k: v for k, v in vars(record).items() if k not in self.STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _begin() -> None:
    sent = request.headers.get("X-Request-Id", "")
    g.request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(elapsed)
    if response.status_code in (409, 412):
        CONFLICTS.labels(str(response.status_code)).inc()
    response.headers["X-Request-Id"] = g.get("request_id", "")
    account = g.get("account")
    log.info("request", extra={"request_id": g.get("request_id"), "method": request.method, "route": route,
                               "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                               "account_id": str(account.id) if account is not None else None})
    return response


class StoreCollector:
    """Figures read from the store at scrape time: events recorded and each view's lag."""

    def __init__(self, app: Any):
        self.app = app

    def collect(self):
        status = self.app.projections.status()
        events = GaugeMetricFamily("coproduce_events_recorded", "Events in the log (its head position)")
        events.add_metric([], status[0]["head"] if status else 0)
        lag = GaugeMetricFamily("coproduce_projection_lag_events", "Events a read model is behind", labels=["view"])
        for row in status:
            lag.add_metric([row["view"]], row["lag"])
        yield events
        yield lag


@health.get("/healthz")
def healthz():
    """Alive: the process answers."""
    return {"status": "alive"}


@health.get("/readyz")
def readyz():
    """Ready: the store answers, no read model is being rebuilt, and each is within the allowed lag."""
    app, bound = current_app.extensions["coproduce"], current_app.config["COPRODUCE_READY_MAX_LAG"]
    try:
        views = app.projections.status()
    except Exception as error:  # any store failure means "not ready", never a 500
        return problem(503, f"The store cannot be reached: {type(error).__name__}")
    if current_app.config["COPRODUCE_STORE_FULL"]():
        return problem(503, "The store's disk is full: writes are refused until space is freed.")
    rebuilding = [v["view"] for v in views if v["rebuilding"]]
    if rebuilding:
        return problem(503, "Read models changed by this release are being rebuilt.", rebuilding=rebuilding)
    behind = {v["view"]: v["lag"] for v in views if v["lag"] > bound}
    if behind:
        return problem(503, f"Read models are more than {bound} events behind.", behind=behind)
    return {"status": "ready", "lag": {v["view"]: v["lag"] for v in views}}


@health.get("/metrics")
def metrics():
    """Prometheus metrics (all worker processes when PROMETHEUS_MULTIPROC_DIR is set)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_store_registry(current_app))
    return Response(body, mimetype="text/plain; version=0.0.4")


def _store_registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(StoreCollector(app.extensions["coproduce"]))
    return registry


def install(app: Flask, ready_max_lag: int, store_full: Callable[[], bool] = lambda: False) -> None:
    """Logs, metrics and /readyz: ready within `ready_max_lag` events, and unless `store_full()` (a write
    found the store's disk full a moment ago)."""
    app.config["COPRODUCE_READY_MAX_LAG"] = ready_max_lag
    app.config["COPRODUCE_STORE_FULL"] = store_full
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_blueprint(health)
