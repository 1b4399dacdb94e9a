"""Live providers against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from cenas.carbon import (
    ConstantSignal,
    ElectricityMapsSignal,
    FallbackSignal,
    HttpPolicy,
    UKCarbonIntensitySignal,
)
from cenas.errors import CarbonSignalError

TOKEN = "s3cr3t-T0KEN-value-42"


@dataclass
class _Script:
    """Responses to serve in order (the last one repeats) and the requests seen."""

    responses: list[tuple[int, Any, float]] = field(default_factory=list)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def next(self) -> tuple[int, Any, float]:
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


@pytest.fixture
def server() -> Iterator[tuple[str, _Script]]:
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            script.seen.append((self.path, dict(self.headers.items())))
            status, body, delay = script.next()
            if delay:
                time.sleep(delay)
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def _session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # ignore proxy variables: the server is on loopback
    return s


EM_OK = {
    "zone": "DE",
    "carbonIntensity": 302,
    "datetime": "2021-05-21T10:00:00.000Z",
    "emissionFactorType": "lifecycle",
}


def _em(base: str, **kw: Any) -> ElectricityMapsSignal:
    sleeps: list[float] = []
    sig = ElectricityMapsSignal(
        "DE",
        base_url=base,
        session=_session(),
        sleep=sleeps.append,
        policy=kw.pop("policy", HttpPolicy(timeout_s=2.0, cache_ttl_s=300, retries=2)),
        **kw,
    )
    sig.sleeps = sleeps  # type: ignore[attr-defined]
    return sig


def test_electricitymaps_reading_and_token_header(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(200, EM_OK, 0.0)]
    sig = _em(base)
    r = sig.reading(1000.0)
    assert (r.value_g_per_kwh, r.source, r.is_fallback) == (302.0, "electricitymaps:DE:lca", False)
    assert r.data_time_s == pytest.approx(1621591200.0)
    path, headers = script.seen[0]
    assert path.startswith("/carbon-intensity/latest?") and "zone=DE" in path
    assert headers.get("auth-token") == TOKEN


def test_electricitymaps_direct_kind(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(200, EM_OK, 0.0)]
    sig = _em(base, kind="direct")
    assert sig.reading(0.0).source == "electricitymaps:DE:direct"
    assert "emissionFactorType=direct" in script.seen[0][0]


def test_cache_within_ttl(server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(200, EM_OK, 0.0), (200, {**EM_OK, "carbonIntensity": 400}, 0.0)]
    sig = _em(base)
    assert sig.reading(1000.0).value_g_per_kwh == 302
    cached = sig.reading(1299.0)
    assert cached.value_g_per_kwh == 302 and cached.time_s == 1299.0
    assert len(script.seen) == 1
    assert sig.reading(1300.0).value_g_per_kwh == 400
    assert len(script.seen) == 2


def test_retries_with_exponential_backoff_then_success(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(503, {"error": "busy"}, 0.0), (429, {}, 0.0), (200, EM_OK, 0.0)]
    sig = _em(base, policy=HttpPolicy(retries=2, backoff_s=0.5))
    assert sig.reading(0.0).value_g_per_kwh == 302
    assert sig.sleeps == [0.5, 1.0]  # type: ignore[attr-defined]


def test_failure_then_backoff_window(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(500, {}, 0.0)]
    sig = _em(base, policy=HttpPolicy(retries=1, backoff_s=2.0))
    with pytest.raises(CarbonSignalError, match=r"2 attempt\(s\) failed, last: HTTP 500"):
        sig.reading(100.0)
    assert sig.sleeps == [2.0]  # type: ignore[attr-defined]
    n = len(script.seen)
    with pytest.raises(CarbonSignalError, match="backing off after 1 failed call"):
        sig.reading(102.0)  # within the 4 s pause: no request
    assert len(script.seen) == n
    script.responses = [(200, EM_OK, 0.0)]
    assert sig.reading(104.0).value_g_per_kwh == 302


def test_timeout(server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(200, EM_OK, 1.0)]
    sig = _em(base, policy=HttpPolicy(timeout_s=0.2, retries=0))
    with pytest.raises(CarbonSignalError, match=r"no answer within 0\.2 s"):
        sig.reading(0.0)


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    sig = ElectricityMapsSignal(
        "DE",
        base_url="http://127.0.0.1:9",
        session=_session(),
        sleep=lambda s: None,
        policy=HttpPolicy(retries=0),
    )
    with pytest.raises(CarbonSignalError, match="cannot connect"):
        sig.reading(0.0)


def test_missing_token(server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch) -> None:
    base, script = server
    monkeypatch.delenv("ELECTRICITYMAPS_TOKEN", raising=False)
    script.responses = [(200, EM_OK, 0.0)]
    with pytest.raises(CarbonSignalError, match="set the environment variable ELECTRICITYMAPS"):
        _em(base).reading(0.0)
    assert script.seen == []


def test_token_never_in_logs_reprs_or_errors(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    # A hostile server echoes the token back in an error body and a malformed payload.
    script.responses = [
        (503, {"error": f"bad {TOKEN}"}, 0.0),
        (401, {"error": f"invalid token {TOKEN}"}, 0.0),
        (200, {"carbonIntensity": f"x{TOKEN}"}, 0.0),
    ]
    caplog.set_level(logging.DEBUG)
    sig = _em(base, policy=HttpPolicy(retries=1, backoff_s=0.0))
    messages = [repr(sig), str(sig.__dict__)]
    with pytest.raises(CarbonSignalError) as e1:
        sig.reading(0.0)
    messages.append(str(e1.value))
    assert "HTTP 401" in str(e1.value) and "***" in str(e1.value)
    with pytest.raises(CarbonSignalError) as e2:
        sig.reading(1.0)
    messages.append(str(e2.value))
    assert "unexpected payload" in str(e2.value)
    fb = FallbackSignal(sig, ConstantSignal(1.0))
    script.responses = [(401, {"error": TOKEN}, 0.0)]
    fb.reading(2.0)
    messages += [repr(fb), str(fb.last_error)]
    messages += [rec.getMessage() for rec in caplog.records]
    assert all(TOKEN not in m for m in messages), [m for m in messages if TOKEN in m]


def test_fallback_over_live_records_source(
    server: tuple[str, _Script], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, script = server
    monkeypatch.setenv("ELECTRICITYMAPS_TOKEN", TOKEN)
    script.responses = [(500, {}, 0.0), (200, EM_OK, 0.0)]
    fb = FallbackSignal(
        _em(base, policy=HttpPolicy(retries=0, backoff_s=1.0)), ConstantSignal(99.0, "backup")
    )
    r1 = fb.reading(0.0)
    assert (r1.source, r1.is_fallback, r1.value_g_per_kwh) == ("backup", True, 99.0)
    r2 = fb.reading(1.0)  # primary still in its back-off pause: fallback, no request
    assert r2.is_fallback and len(script.seen) == 1
    r3 = fb.reading(10.0)
    assert (r3.source, r3.is_fallback) == ("electricitymaps:DE:lca", False)
    assert fb.counts == {"fallback:backup": 2, "electricitymaps:DE:lca": 1}


UK_OK = {
    "data": [
        {
            "from": "2018-01-20T12:00Z",
            "to": "2018-01-20T12:30Z",
            "intensity": {"forecast": 266, "actual": 263, "index": "moderate"},
        }
    ]
}


def test_uk_actual_and_forecast(server: tuple[str, _Script]) -> None:
    base, script = server
    forecast_only = json.loads(json.dumps(UK_OK))
    forecast_only["data"][0]["intensity"]["actual"] = None
    script.responses = [(200, UK_OK, 0.0), (200, forecast_only, 0.0)]
    sig = UKCarbonIntensitySignal(
        base_url=base, session=_session(), policy=HttpPolicy(cache_ttl_s=0)
    )
    r = sig.reading(0.0)
    assert (r.value_g_per_kwh, r.source) == (263.0, "carbonintensity.org.uk:GB:actual")
    assert r.data_time_s == pytest.approx(1516449600.0)
    r2 = sig.reading(1.0)
    assert (r2.value_g_per_kwh, r2.source) == (266.0, "carbonintensity.org.uk:GB:forecast")
    assert script.seen[0][0] == "/intensity"


def test_uk_bad_payload(server: tuple[str, _Script]) -> None:
    base, script = server
    script.responses = [(200, "not json", 0.0)]
    sig = UKCarbonIntensitySignal(base_url=base, session=_session())
    with pytest.raises(CarbonSignalError, match="did not return JSON"):
        sig.reading(0.0)
    script.responses = [(200, {"data": []}, 0.0)]
    with pytest.raises(CarbonSignalError, match="unexpected payload"):
        UKCarbonIntensitySignal(base_url=base, session=_session()).reading(0.0)
    script.responses = [(200, {"data": [{"intensity": {"actual": -5}}]}, 0.0)]
    with pytest.raises(CarbonSignalError, match="expected finite and >= 0"):
        UKCarbonIntensitySignal(base_url=base, session=_session()).reading(0.0)


def test_policy_validation() -> None:
    with pytest.raises(CarbonSignalError, match="timeout_s must be > 0"):
        HttpPolicy(timeout_s=0)
    with pytest.raises(CarbonSignalError, match="retries must be >= 0"):
        HttpPolicy(retries=-1)
