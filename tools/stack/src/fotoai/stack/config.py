"""Where the local stack keeps its state and which loopback ports it uses.

Everything is overridable by environment variables so two stacks (say, a developer's and a
test run's) can live side by side: FOTOAI_HOME (state, default `<repo>/.fotoai`), FOTOAI_CACHE
(downloaded artifacts, default `~/.cache/fotoai`) and FOTOAI_PORT_<NAME>.

FOTOAI_STACK_REPLICAS (e.g. `ingest=2,enhance=2,tagging=2`) runs that many processes of a
consumer service in the same consumer group, so Kafka shares the topics' partitions among them;
replica i (from 2) listens on the service's port + 10·(i-1) for its health and metrics.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

KAFKA_VERSION = "4.4.0"
S3PROXY_VERSION = "4.1.0"

SERVICES = ("catalog", "ingest", "enhance", "tagging", "people", "text", "gateway")

DEFAULT_PORTS = {
    "gateway": 8000,
    "catalog": 8001,
    "ingest": 8002,
    "enhance": 8003,
    "tagging": 8004,
    "people": 8005,
    "text": 8006,
    "web": 3000,
    "kafka": 19092,
    "kafka_controller": 19093,
    "s3": 19000,
    "postgres": 15432,
    "redis": 16379,
}

#: Replica i of a service listens on its port + REPLICA_PORT_STEP·(i-1); a stack's block of 100
#: ports keeps room for MAX_REPLICAS per service.
REPLICA_PORT_STEP = 10
MAX_REPLICAS = 9


def parse_replicas(spec: str, services: tuple[str, ...] = SERVICES) -> dict[str, int]:
    """`ingest=2,enhance=2` → {"ingest": 2, "enhance": 2}. The gateway is one process (its
    port is the stack's front door); every other service is a consumer and may have replicas."""
    out: dict[str, int] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, sep, count = item.partition("=")
        name = name.strip()
        if not sep or not count.strip().isdigit():
            raise ValueError(f"FOTOAI_STACK_REPLICAS: {item!r} is not <service>=<count>")
        if name not in services or name == "gateway":
            raise ValueError(f"FOTOAI_STACK_REPLICAS: {name!r} is not a consumer service of this stack")
        n = int(count)
        if not 1 <= n <= MAX_REPLICAS:
            raise ValueError(f"FOTOAI_STACK_REPLICAS: {name}={n}, want 1..{MAX_REPLICAS}")
        out[name] = n
    return out


def repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "local").is_dir() and (parent / "services").is_dir():
            return parent
    return Path.cwd()


@dataclass(frozen=True)
class StackPaths:
    root: Path
    home: Path
    cache: Path

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def env_file(self) -> Path:
        return self.home / "stack.env"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.env"

    @property
    def pid_file(self) -> Path:
        return self.home / "stack.pid"

    @property
    def children_file(self) -> Path:
        return self.home / "children.json"

    @property
    def kafka_lib(self) -> Path:
        return self.cache / f"kafka-{KAFKA_VERSION}" / "lib"

    @property
    def s3proxy_jar(self) -> Path:
        return self.cache / f"s3proxy-{S3PROXY_VERSION}" / f"s3proxy-{S3PROXY_VERSION}-jar-with-dependencies.jar"


@dataclass(frozen=True)
class StackConfig:
    paths: StackPaths
    ports: dict[str, int] = field(default_factory=dict)
    services: tuple[str, ...] = SERVICES
    with_web: bool = False
    with_redis: bool = True
    #: Processes per service in the same consumer group (absent: 1).
    replicas: dict[str, int] = field(default_factory=dict)

    def instances(self, name: str) -> list[tuple[str, int]]:
        """(process name, HTTP port) of each replica of `name`: `ingest`, `ingest-2`, …"""
        base = self.ports[name]
        return [(name if i == 1 else f"{name}-{i}", base + REPLICA_PORT_STEP * (i - 1))
                for i in range(1, self.replicas.get(name, 1) + 1)]

    @classmethod
    def from_env(cls) -> StackConfig:
        root = repo_root()
        home = Path(os.environ.get("FOTOAI_HOME", root / ".fotoai")).resolve()
        cache = Path(os.environ.get("FOTOAI_CACHE", Path.home() / ".cache" / "fotoai")).resolve()
        ports = {
            name: int(os.environ.get(f"FOTOAI_PORT_{name.upper()}", default))
            for name, default in DEFAULT_PORTS.items()
        }
        # Services added after the first five follow the gateway's block when only the gateway
        # port was moved, so side-by-side stacks set up for five services still do not collide.
        for name in ("people", "text"):
            if f"FOTOAI_PORT_{name.upper()}" not in os.environ:
                ports[name] = ports["gateway"] + DEFAULT_PORTS[name] - DEFAULT_PORTS["gateway"]
        services = tuple(
            s for s in os.environ.get("FOTOAI_STACK_SERVICES", ",".join(SERVICES)).split(",") if s
        )
        with_web = os.environ.get("FOTOAI_STACK_WEB", "auto")
        web = (root / "web" / "package.json").exists() if with_web == "auto" else with_web == "1"
        return cls(
            paths=StackPaths(root=root, home=home, cache=cache),
            ports=ports,
            services=services,
            with_web=web,
            with_redis=os.environ.get("FOTOAI_STACK_REDIS", "1") == "1",
            replicas=parse_replicas(os.environ.get("FOTOAI_STACK_REPLICAS", ""), services),
        )
