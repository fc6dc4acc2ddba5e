"""Downloads the stack's Java artifacts once, from Maven Central, into the cache.

Apache Kafka's own jars come from `deploy/local/kafka/pom.xml` and the S3Proxy fat jar from
`deploy/local/s3proxy/pom.xml`, both through `mvn dependency:copy-dependencies`. A second start
finds them in the cache and skips Maven entirely.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from fotoai.stack.config import StackPaths


class SetupError(RuntimeError):
    """Something the stack needs is missing; the message says how to get it."""

def _say(msg: str) -> None:
    print(f"[stack] {msg}", file=sys.stderr, flush=True)

def _mvn_copy(pom_dir: Path, out: Path, what: str) -> None:
    if shutil.which("mvn") is None:
        raise SetupError("Maven (mvn) is not installed: `apt-get install -y maven` and retry")
    if shutil.which("java") is None:
        raise SetupError("Java is not installed: `apt-get install -y openjdk-17-jre-headless` and retry")
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _say(f"downloading {what} from Maven Central (first start only) …")
    t0 = time.monotonic()
    cmd = [
        "mvn", "-B", "-f", str(pom_dir / "pom.xml"),
        "dependency:copy-dependencies", f"-DoutputDirectory={tmp}", "-DincludeScope=runtime",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    tail: list[str] = []
    copied = downloaded = 0
    for line in proc.stdout:
        tail = (tail + [line.rstrip()])[-30:]
        if line.startswith("Downloaded from") or "] Downloaded from" in line:
            downloaded += 1
            if downloaded % 25 == 1:
                _say(f"  {what}: {downloaded} file(s) downloaded, {time.monotonic() - t0:.0f} s …")
        elif "Copying" in line:
            copied += 1
            if copied % 10 == 1:
                _say(f"  {what}: {copied} jar(s) so far, {time.monotonic() - t0:.0f} s …")

    if proc.wait() != 0:
        raise SetupError(
            f"Maven could not resolve {what}; last lines:\n" + "\n".join(tail)
            + "\nCheck that Maven Central is reachable, then run `make up` again."
        )
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    _say(f"{what}: {len(list(out.iterdir()))} files in {time.monotonic() - t0:.0f} s")

def ensure_artifacts(paths: StackPaths) -> None:
    local = paths.root / "deploy" / "local"
    if not (paths.kafka_lib.is_dir() and any(paths.kafka_lib.glob("kafka_2.13-*.jar"))):
        _mvn_copy(local / "kafka", paths.kafka_lib, "Apache Kafka")
    if not paths.s3proxy_jar.exists():
        _mvn_copy(local / "s3proxy", paths.s3proxy_jar.parent, "S3Proxy")
        if not paths.s3proxy_jar.exists():
            raise SetupError(f"S3Proxy jar not found at {paths.s3proxy_jar} after download")
