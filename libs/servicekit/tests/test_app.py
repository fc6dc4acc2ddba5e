"""create_app: health, readiness from registered checks, metrics, problem details."""

import asyncio
import threading

import httpx
import pytest
from fastapi import FastAPI
from fotoai.servicekit.app import ProblemError, create_app, wait_for_go


def build() -> FastAPI:
    app = create_app("unit")

    @app.get("/boom")
    async def boom() -> None:
        raise ProblemError(409, "Conflict", "already there", headers={"X-Extra": "1"})

    @app.get("/items/{n}")
    async def item(n: int) -> dict[str, int]:
        return {"n": n}

    return app


@pytest.fixture
async def client():
    app = build()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield app, c


async def test_healthz_and_metrics(client):
    _app, c = client
    assert (await c.get("/healthz")).json()["status"] == "alive"
    await c.get("/items/3")
    body = (await c.get("/metrics")).text
    assert 'fotoai_http_requests_total{method="GET",route="/items/{n}",service="unit",status="200"}' in body


async def test_readyz_reflects_checks(client):
    app, c = client
    r = await c.get("/readyz")
    assert r.status_code == 503  # no dependency registered yet: not ready

    async def ok():
        return True

    async def down():
        raise ConnectionError("refused")

    app.state.readiness["kafka"] = ok
    assert (await c.get("/readyz")).status_code == 200
    app.state.readiness["s3"] = down
    r = await c.get("/readyz")
    assert r.status_code == 503
    assert "refused" in r.json()["checks"]["s3"]


async def test_a_dependency_that_answered_before_may_be_slow_briefly_without_leaving_rotation():
    app = create_app("unit", readiness_grace_s=0.3)
    state = {"storage": "up"}

    async def storage():
        if state["storage"] == "slow":
            raise TimeoutError("HEAD took too long")
        if state["storage"] == "down":
            raise ConnectionRefusedError("connection refused")
        return True

    app.state.readiness["storage"] = storage
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/readyz")).json() == {"status": "ready", "checks": {"storage": "ok"}}
        state["storage"] = "slow"
        r = await c.get("/readyz")
        assert r.status_code == 200 and r.json()["status"] == "degraded"
        assert "HEAD took too long" in r.json()["checks"]["storage"]
        await asyncio.sleep(0.35)
        r = await c.get("/readyz")  # slow for longer than the grace: out of rotation
        assert r.status_code == 503 and r.json()["status"] == "not ready"
        state["storage"] = "up"
        assert (await c.get("/readyz")).status_code == 200
        state["storage"] = "slow"  # the grace starts again after a pass
        assert (await c.get("/readyz")).status_code == 200
        state["storage"] = "down"  # a refusal is not slowness: out at once
        r = await c.get("/readyz")
        assert r.status_code == 503 and "connection refused" in r.json()["checks"]["storage"]


async def test_a_slow_dependency_that_never_answered_is_not_ready():
    app = create_app("unit", readiness_grace_s=60)

    async def storage():
        raise TimeoutError

    app.state.readiness["storage"] = storage
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/readyz")).status_code == 503


async def test_errors_are_problem_details(client):
    _, c = client
    r = await c.get("/boom")
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "already there"}
    assert r.headers["x-extra"] == "1"
    r = await c.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await c.get("/items/notanumber")
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["path", "n"]


async def test_services_on_loopback_answer_only_to_local_host_names():
    from fotoai.servicekit.app import guarded

    app = build()
    assert guarded(app, "0.0.0.0") is app  # behind an ingress: its job
    local = guarded(app, "127.0.0.1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=local), base_url="http://t") as c:
        for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"):
            assert (await c.get("/healthz", headers={"Host": host})).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", "", "localhost.:1"):
            r = await c.get("/healthz", headers={"Host": host})
            assert r.status_code == 421 and r.headers["content-type"] == "application/problem+json", host


def test_a_service_started_early_waits_for_the_go_file(tmp_path):
    go = tmp_path / "infrastructure.ready"
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (wait_for_go(str(go), poll_s=0.01), done.set()))
    waiter.start()
    assert not done.wait(0.3)  # no file: still waiting
    go.touch()
    assert done.wait(5)
    waiter.join()
    wait_for_go(None)  # unset: returns at once
