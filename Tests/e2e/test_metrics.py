"""Metrics with a real process: `/metrics` on its own port (127.0.0.1 only), scraped before and after real requests,
shows the counters of those requests moved: requests by route and status, page-cache hits and misses, read beacons,
the read flush, database transactions, and the process's memory and open files."""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from conftest import Server, _free_port, _stop, article_links, start_server
from test_nodes import POSTGRES_URL, _sql

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def metered(request, tmp_path_factory) -> tuple[Server, int]:
    """A server with its metrics port, on a new SQLite file, then on a new PostgreSQL database (when there is one)."""
    database = None
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("needs VESTNIK_TEST_POSTGRES_URL")
        name = "e2e_metrics_" + uuid.uuid4().hex[:12]
        _sql(POSTGRES_URL, f"CREATE DATABASE {name}")
        database = urllib.parse.urlunsplit(urllib.parse.urlsplit(POSTGRES_URL)._replace(path="/" + name))
    port = _free_port()
    srv = start_server(tmp_path_factory.mktemp("vestnik-metrics"), database, extra_args=("--metrics-port", str(port)))
    yield srv, port
    _stop(srv.process)
    if database:
        _sql(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def scrape(port: int) -> dict[str, float]:
    """Every sample of /metrics by its name and labels as written, e.g. 'hb_requests{...}'."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = resp.read().decode()
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


def total(samples: dict[str, float], name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(
        value
        for key, value in samples.items()
        if key.split("{")[0] == name and all(part in key for part in wanted)
    )


def test_metrics_listen_on_their_own_local_port_only(metered) -> None:
    server, port = metered
    assert server.get("/metrics").status == 404, "the site's own port must not serve /metrics"
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    samples = scrape(port)
    assert total(samples, "process_resident_memory_bytes") > 10_000_000
    assert total(samples, "process_open_fds") > 3


def test_counters_move_after_real_requests(metered) -> None:
    server, port = metered
    before = scrape(port)
    home = server.get("/")
    assert home.status == 200
    path = article_links(home.body)[0]
    for _ in range(3):
        assert server.get(path).status == 200
    assert server.get("/no-such-section/no-such-article").status == 404
    beacon = re.search(r'data-beacon="(/api/reads/\d+)"', server.get(path).body).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]), timeout=10)
    connection.request("POST", beacon, headers={"User-Agent": BROWSER_UA, "Content-Length": "0"})
    assert connection.getresponse().status == 204
    connection.close()
    time.sleep(2.5)  # a read flush (every second) has written the counted read
    after = scrape(port)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    # Routed requests by route and status (Hummingbird's MetricsMiddleware), with their latency histogram.
    assert moved("hb_requests", http_response_status_code="200") >= 1
    assert moved("hb_requests", http_response_status_code="404") >= 1
    assert moved("http_server_request_duration_count") >= 2
    # The article asked for again is answered by the page cache.
    assert moved("vestnik_page_cache_hits_total", cache="pages") >= 1
    # ... on the connection's event loop, before Hummingbird's responder (counted among the hits too).
    assert moved("vestnik_page_cache_event_loop_hits_total", cache="pages") >= 1
    assert moved("vestnik_page_cache_misses_total", cache="pages") >= 1
    assert total(after, "vestnik_page_cache_bytes", cache="pages") > 0
    assert moved("vestnik_read_beacons_total", result="counted") == 1
    assert moved("vestnik_read_flushes_total", result="ok") >= 1
    assert moved("vestnik_read_flush_duration_seconds_count") >= 1
    assert moved("vestnik_db_transaction_duration_seconds_count", kind="read") >= 1
    assert moved("vestnik_db_transaction_duration_seconds_count", kind="write") >= 1
    assert moved("vestnik_db_pool_wait_seconds_count", kind="read") >= 1
    assert total(after, "vestnik_job_runs_total", job="scheduler", result="ok") >= 1
