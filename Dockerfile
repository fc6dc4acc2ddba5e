# syntax=docker/dockerfile:1.7
# One image recipe for every FotoAI service. Build from the repository root (the uv workspace):
#   docker build --build-arg SERVICE=ingest --build-arg PORT=8002 -t ghcr.io/fotoai/ingest:dev .
# SERVICE names the package under services/ (`fotoai.<SERVICE>`); PORT is the port it listens
# on and must match deploy/k8s (deploy/compose.yaml passes both; tests/deploy checks them).
#
# enhance and tagging bring torch from PyPI, the CUDA build: those images run on CPU nodes and,
# with the NVIDIA driver on the host, on GPU nodes (FOTOAI_DEVICE=cuda). They are large (several
# GB); the dependency layer is cached apart from the code, so only the first build pays for it.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# --- manifests: the workspace's pyprojects and lock file alone --------------------------------
# The output only changes when a manifest does, so the dependency layer below is reused across
# code changes even though this stage sees the whole context.
FROM ${PYTHON_IMAGE} AS manifests
WORKDIR /context
COPY . .
RUN mkdir /manifests \
 && cp pyproject.toml uv.lock /manifests/ \
 && find libs services tools -mindepth 2 -maxdepth 2 -name pyproject.toml -exec cp --parents {} /manifests/ \;

# --- build: resolve from uv.lock into /app/.venv --------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<name>" >&2; exit 1; }
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# Third-party dependencies first, from the lock file alone; --frozen installs exactly what
# uv.lock says for this service's package, without re-resolving the workspace.
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "fotoai-${SERVICE}" --no-install-workspace

# Then our code (the shared libraries and this service), installed as regular, non-editable
# packages: the runtime stage copies the virtual environment alone, without /src.
COPY libs/contracts/src libs/contracts/src
COPY libs/servicekit/src libs/servicekit/src
COPY services/${SERVICE}/src services/${SERVICE}/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "fotoai-${SERVICE}" --no-editable

# --- runtime: the interpreter, the virtual environment, an unprivileged user -----------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ARG PORT
RUN test -n "${PORT}" || { echo "build with --build-arg PORT=<port of ${SERVICE}>" >&2; exit 1; } \
 && groupadd --system --gid 10001 fotoai \
 && useradd --system --uid 10001 --gid fotoai --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin fotoai
# The text service reads words with Tesseract (the tesserocr wheel's libtesseract) and Debian's
# language data (tesseract-ocr pulls in the English data); no other image carries it.
RUN if [ "${SERVICE}" = text ]; then \
      apt-get update && apt-get install -y --no-install-recommends tesseract-ocr \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /app/.venv /app/.venv
# Settings default to loopback for the native launcher; in a container the probes and
# Prometheus come from outside, so listen on every interface.
ENV PATH=/app/.venv/bin:$PATH \
    FOTOAI_HTTP_HOST=0.0.0.0 \
    FOTOAI_HTTP_PORT=${PORT} \
    FOTOAI_IMAGE_SERVICE=${SERVICE} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    XDG_CACHE_HOME=/tmp/.cache
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['FOTOAI_HTTP_PORT'], timeout=2)"]
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"fotoai.${FOTOAI_IMAGE_SERVICE}\" \"$@\"", "fotoai"]
