"""Brings the whole local stack up in order, writes `.fotoai/stack.env`, and takes it down.

Order: PostgreSQL, Kafka, object store and Redis start together (Kafka is the slow one), then
topics, buckets and the database are provisioned, then the services start, the catalog first.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fotoai.stack import components as c
from fotoai.stack import kafka_acl
from fotoai.stack.artifacts import ensure_artifacts
from fotoai.stack.config import StackConfig
from fotoai.stack.processes import Child, Supervisor, kill_recorded, say

JWT_ISSUER = "fotoai-local"
JWT_AUDIENCE = "fotoai"
#: Started first, alone: what a ready gateway needs (its readiness checks the catalog).
FIRST_WAVE = ("gateway", "catalog")
#: servicekit.app.START_WHEN_ENV: a service waits for this file before its lifespan starts.
START_WHEN_ENV = "FOTOAI_START_WHEN"


def load_or_make_secrets(cfg: StackConfig) -> dict[str, str]:
    """Per-stack secrets, generated on first start and kept so tokens and data survive restarts."""
    path = cfg.paths.secrets_file
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                values[k] = v
    changed = False
    wanted = [
        ("FOTOAI_JWT_SECRET", lambda: secrets.token_urlsafe(32)),
        ("FOTOAI_S3_ACCESS_KEY", lambda: "fotoai" + secrets.token_hex(6)),
        ("FOTOAI_S3_SECRET_KEY", lambda: secrets.token_urlsafe(24)),
    ]
    # One Kafka principal per service plus admin, subscriber and operator (see kafka_acl).
    for principal in [kafka_acl.ADMIN, *kafka_acl.principals(cfg.services)]:
        wanted.append((kafka_password_key(principal), lambda: secrets.token_urlsafe(24)))
    for key, make in wanted:
        if key not in values:
            values[key] = make()
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return values


def kafka_password_key(principal: str) -> str:
    return f"FOTOAI_KAFKA_PASSWORD_{principal.upper().replace('-', '_')}"


def kafka_principal_env(sec: dict[str, str], principal: str) -> dict[str, str]:
    """The four FOTOAI_KAFKA_* names of one principal (what servicekit's settings read)."""
    return {
        "FOTOAI_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "FOTOAI_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "FOTOAI_KAFKA_USERNAME": principal,
        "FOTOAI_KAFKA_PASSWORD": sec[kafka_password_key(principal)],
    }


def stack_env(cfg: StackConfig, sec: dict[str, str]) -> dict[str, str]:
    p = cfg.ports
    env = {
        "FOTOAI_GATEWAY_URL": f"http://127.0.0.1:{p['gateway']}",
        "FOTOAI_CATALOG_URL": f"http://127.0.0.1:{p['catalog']}",
        "FOTOAI_TAGGING_URL": f"http://127.0.0.1:{p['tagging']}",
        "FOTOAI_KAFKA_BOOTSTRAP": f"127.0.0.1:{p['kafka']}",
        "FOTOAI_S3_ENDPOINT": f"http://127.0.0.1:{p['s3']}",
        "FOTOAI_S3_ACCESS_KEY": sec["FOTOAI_S3_ACCESS_KEY"],
        "FOTOAI_S3_SECRET_KEY": sec["FOTOAI_S3_SECRET_KEY"],
        "FOTOAI_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{p['postgres']}/fotoai",
        "FOTOAI_JWT_SECRET": sec["FOTOAI_JWT_SECRET"],
        "FOTOAI_JWT_ISSUER": JWT_ISSUER,
        "FOTOAI_JWT_AUDIENCE": JWT_AUDIENCE,
        "FOTOAI_LOCAL_MODE": "true",
        # Other systems subscribe as the read-only principal; services get their own (secrets.env).
        **kafka_principal_env(sec, kafka_acl.SUBSCRIBER),
    }
    for name in ("ingest", "enhance", "tagging"):
        env[f"FOTOAI_{name.upper()}_URL"] = f"http://127.0.0.1:{p[name]}"
    if cfg.with_redis and c.redis_server():
        env["FOTOAI_REDIS_URL"] = f"redis://127.0.0.1:{p['redis']}/0"
    if cfg.with_web:
        env["FOTOAI_WEB_URL"] = f"http://127.0.0.1:{p['web']}"
    if cfg.replicas:
        env["FOTOAI_STACK_REPLICAS"] = ",".join(f"{k}={v}" for k, v in sorted(cfg.replicas.items()))
    return env


def service_processes(cfg: StackConfig, svc_env: dict[str, str], sec: dict[str, str]) -> list[tuple[Child, Callable[[], bool]]]:
    """Every service process: one per service, or its replicas (FOTOAI_STACK_REPLICAS) side by
    side, each with its own port and log, all with the service's principal and group."""
    return [
        c.service(cfg, name, {**svc_env, **kafka_principal_env(sec, name)}, instance)
        for name in cfg.services for instance in cfg.instances(name)
    ]


def write_env_file(cfg: StackConfig, env: dict[str, str]) -> None:
    tmp = cfg.paths.env_file.with_suffix(".tmp")
    tmp.write_text(
        "# Coordinates of the running FotoAI stack (written by `make up` / `make run`).\n"
        + "".join(f"{k}={v}\n" for k, v in sorted(env.items()))
        + f"FOTOAI_STACK_PID={os.getpid()}\n"
    )
    tmp.chmod(0o600)
    tmp.replace(cfg.paths.env_file)


def _check_ports(cfg: StackConfig) -> None:
    wanted = ["postgres", "kafka", "kafka_controller", "s3"]
    if cfg.with_redis:
        wanted.append("redis")
    if cfg.with_web:
        wanted.append("web")
    ports = [(n, cfg.ports[n]) for n in wanted]
    ports += [instance for name in cfg.services for instance in cfg.instances(name)]
    busy = [f"{n}:{port}" for n, port in ports if not c.port_free(port)]
    if busy:
        raise RuntimeError(
            f"ports already in use: {', '.join(busy)}. Is a stack already running? Try `make down`, "
            "or move this one with FOTOAI_PORT_<NAME>=… (e.g. FOTOAI_PORT_GATEWAY=9000)."
        )


def _print_timings(timings: dict[str, float], total: float) -> None:
    """Where the start went: each piece's ready time since launch (pieces start together, so
    the slowest of a group is its share) and the provisioning steps' own durations."""
    say("start-up, seconds since launch (provisioning: its own duration):")
    for name, secs in sorted(timings.items(), key=lambda kv: kv[1] if "provisioning" not in kv[0]
                             and not kv[0].startswith("kafka ") and kv[0] != "artifacts" else -1):
        say(f"  {name:<26} {secs:6.1f}")
    say(f"  {'total':<26} {total:6.1f}")


def run(cfg: StackConfig) -> int:
    """Start everything and stay in the foreground until SIGINT/SIGTERM."""
    # The readiness probes expect "connection refused" while Kafka starts: keep that quiet.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="platformdirs")
    t0 = time.monotonic()
    paths = cfg.paths
    for d in (paths.home, paths.logs, paths.data, paths.cache):
        d.mkdir(parents=True, exist_ok=True)
    kill_recorded(paths.children_file)
    _check_ports(cfg)
    paths.pid_file.write_text(str(os.getpid()))
    paths.env_file.unlink(missing_ok=True)
    go_file = paths.home / "infrastructure.ready"
    go_file.unlink(missing_ok=True)
    stop = {"now": False}

    def on_signal(signum, _frame):
        if stop["now"]:
            return
        stop["now"] = True
        say(f"received {signal.Signals(signum).name}: stopping the stack …")

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    sup = Supervisor(paths.children_file)
    timings: dict[str, float] = {}
    try:
        t = time.monotonic()
        ensure_artifacts(paths)
        timings["artifacts"] = time.monotonic() - t
        sec = load_or_make_secrets(cfg)
        env = stack_env(cfg, sec)

        kafka_admin = sec[kafka_password_key(kafka_acl.ADMIN)]
        infra = [c.postgres(cfg), c.kafka(cfg, kafka_admin),
                 c.s3proxy(cfg, sec["FOTOAI_S3_ACCESS_KEY"], sec["FOTOAI_S3_SECRET_KEY"])]
        if "FOTOAI_REDIS_URL" in env:
            r = c.redis(cfg)
            assert r is not None
            infra.append(r)
        for child, _ in infra:
            sup.start(child)

        svc_env = {**env, START_WHEN_ENV: str(go_file)}
        # On a small machine every service shares the cores: one inference thread each keeps
        # torch from thrashing (measured: 2 threads under load collapsed to 0.5-2 images/s).
        svc_env.setdefault("FOTOAI_TAGGING__INFERENCE_THREADS", os.environ.get("FOTOAI_TAGGING__INFERENCE_THREADS", "1"))
        if cfg.with_web:
            svc_env.setdefault("FOTOAI_GATEWAY__CORS_ORIGINS", env["FOTOAI_WEB_URL"])
            # The web server proxies /v1 from loopback and sends the browser's address as
            # X-Forwarded-For: believe it from there, so each browser has its own per-IP bucket.
            svc_env.setdefault("FOTOAI_GATEWAY__TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
            # Share links open the web app's public album page (/shared/<token>), not the API.
            svc_env.setdefault("FOTOAI_GATEWAY__LIBRARY__SHARE_BASE_URL", env["FOTOAI_WEB_URL"])
        services = service_processes(cfg, svc_env, sec)
        # Two waves: the gateway (and the catalog its readiness and reads need) start alone,
        # so on a small machine their imports do not share the cores with torch's and dlib's;
        # the consumers join after. Uploads are accepted from the first wave on: Kafka queues
        # them until the consumers are up. The first wave starts now, while the infrastructure
        # starts: its imports (~2-3 CPU-s each) overlap Kafka's start, and its lifespan waits
        # for the go file written once every piece answers (servicekit.app.serve).
        waves = [[s for s in services if s[0].name in FIRST_WAVE],
                 [s for s in services if s[0].name not in FIRST_WAVE]]
        for child, _ in waves[0]:
            sup.start(child)
        passwords = {p: sec[kafka_password_key(p)] for p in kafka_acl.principals(cfg.services)}
        provision = {
            "postgres": lambda: c.provision_postgres(cfg),
            "kafka": lambda: timings.update(
                {f"kafka {k}": v for k, v in c.provision_kafka(
                    env["FOTOAI_KAFKA_BOOTSTRAP"], kafka_admin, passwords, cfg.services).items()}),
            "s3proxy": lambda: c.provision_buckets(
                env["FOTOAI_S3_ENDPOINT"], sec["FOTOAI_S3_ACCESS_KEY"], sec["FOTOAI_S3_SECRET_KEY"]),
        }

        def bring_up(child, check) -> None:
            # Each piece is provisioned as soon as it answers, while the others still start.
            sup.wait_ready(child, check, 300)
            timings[child.name] = time.monotonic() - t0
            if child.name in provision:
                t = time.monotonic()
                provision[child.name]()
                timings[f"{child.name} provisioning"] = time.monotonic() - t

        with ThreadPoolExecutor(len(infra)) as pool:
            for f in [pool.submit(bring_up, child, check) for child, check in infra]:
                f.result()
        timings["infrastructure ready"] = time.monotonic() - t0
        go_file.touch()

        def service_up(child, check) -> None:
            sup.wait_ready(child, check, 420)
            timings[child.name] = time.monotonic() - t0

        for i, wave in enumerate(waves):
            for child, _ in wave:
                if i > 0:
                    sup.start(child)
            with ThreadPoolExecutor(max(1, len(wave))) as pool:
                for f in [pool.submit(service_up, child, check) for child, check in wave]:
                    f.result()
            if "gateway" in timings and "gateway accepts uploads" not in timings:
                timings["gateway accepts uploads"] = timings["gateway"]
                say(f"gateway ready after {timings['gateway']:.1f} s: uploads are accepted; the consumers join next")
        if cfg.with_web:
            w = c.web(cfg, env)
            if w is not None:
                sup.start(w[0])
                sup.wait_ready(w[0], w[1], 180)
                timings["web"] = time.monotonic() - t0
        write_env_file(cfg, env)
        _print_timings(timings, time.monotonic() - t0)
        say(f"stack ready in {time.monotonic() - t0:.1f} s — gateway {env['FOTOAI_GATEWAY_URL']}"
            + (f", web {env['FOTOAI_WEB_URL']}" if cfg.with_web else ""))
        say(f"coordinates in {paths.env_file}; logs in {paths.logs}; Ctrl-C stops everything")
        while not stop["now"]:
            sup.watch_once()
            time.sleep(0.5)
        return 0
    except Exception as exc:  # noqa: BLE001 — report, clean up, exit non-zero
        say(f"ERROR: {exc}")
        return 1
    finally:
        paths.env_file.unlink(missing_ok=True)
        go_file.unlink(missing_ok=True)
        sup.stop_all()
        paths.pid_file.unlink(missing_ok=True)
        say("stack stopped")
