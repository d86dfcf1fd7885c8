"""GET /api/health: every back end's /health, in parallel, each bounded to TIMEOUT_S."""
import concurrent.futures
import time
from typing import Any, Dict, Mapping

import client

TIMEOUT_S = 2.0


def _probe(service: client.ServiceClient) -> Dict[str, Any]:
    started = time.perf_counter()
    try:
        resp = service.get("/health", timeout=TIMEOUT_S)
    except client.UpstreamError as exc:
        return {"status": "down", "latency_ms": _ms(started), "error": str(exc)}
    body = resp.json()
    if resp.status == 200 and isinstance(body, dict) and body.get("status") == "ok":
        return {"status": "up", "latency_ms": _ms(started)}
    return {"status": "down", "latency_ms": _ms(started), "error": f"/health answered {resp.status}"}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def aggregate(backends: Mapping[str, client.ServiceClient]) -> Dict[str, Any]:
    results: Dict[str, Dict[str, Any]] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(backends))
    try:
        futures = {name: pool.submit(_probe, service) for name, service in backends.items()}
        # The socket timeout bounds each read, not the whole exchange: also bound the wait itself.
        deadline = time.monotonic() + TIMEOUT_S + 0.2
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                results[name] = {"status": "down", "latency_ms": TIMEOUT_S * 1000,
                                 "error": f"no answer within {TIMEOUT_S:g}s"}
    finally:
        pool.shutdown(wait=False)
    status = "ok" if all(r["status"] == "up" for r in results.values()) else "degraded"
    return {"status": status, "services": results}
