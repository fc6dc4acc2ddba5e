"""Where the CLI finds the running stack: `.fotoai/stack.env` (or the file FOTOAI_STACK_ENV names)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

NOT_RUNNING = "the stack is not running: `make up`"


class StackNotFound(RuntimeError):
    pass


def stack_env_path(cwd: Path | None = None) -> Path:
    explicit = os.environ.get("FOTOAI_STACK_ENV")
    if explicit:
        return Path(explicit)
    here = (cwd or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / ".fotoai" / "stack.env"
        if candidate.exists():
            return candidate
    return here / ".fotoai" / "stack.env"


@dataclass(frozen=True)
class Stack:
    gateway_url: str
    jwt_secret: str | None
    jwt_issuer: str
    jwt_audience: str


def load_stack(path: Path | None = None) -> Stack:
    path = path or stack_env_path()
    if not path.exists():
        raise StackNotFound(f"{NOT_RUNNING} (no {path})")
    values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    url = os.environ.get("FOTOAI_GATEWAY_URL") or values.get("FOTOAI_GATEWAY_URL")
    if not url:
        raise StackNotFound(f"{path} has no FOTOAI_GATEWAY_URL; restart the stack with `make up`")
    return Stack(
        gateway_url=url.rstrip("/"),
        jwt_secret=values.get("FOTOAI_JWT_SECRET"),
        jwt_issuer=values.get("FOTOAI_JWT_ISSUER", "fotoai-local"),
        jwt_audience=values.get("FOTOAI_JWT_AUDIENCE", "fotoai"),
    )
