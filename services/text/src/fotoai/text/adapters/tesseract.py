"""Tesseract (Debian's `tesseract-ocr`) as a subprocess: an image (PGM) on stdin, TSV on stdout.

A process per image keeps a crash or a pathological image from taking the service down, and
the timeout bounds it; the start-up cost (~30 ms) is small beside the OCR itself.
"""

from __future__ import annotations

import asyncio
import subprocess


class TesseractError(RuntimeError):
    pass


def tesseract_version(cmd: str) -> str:
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise TesseractError(f"{cmd} is not runnable: {exc}. Install tesseract-ocr (deploy/local/bootstrap.sh)") from exc
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.strip()  # e.g. "tesseract 5.3.0"


class TesseractOcr:
    def __init__(self, cmd: str, languages: str, timeout_s: float, concurrency: int) -> None:
        self.cmd = cmd
        self.languages = languages
        self.timeout_s = timeout_s
        self.name = tesseract_version(cmd)
        self._slots = asyncio.Semaphore(concurrency)

    async def read_tsv(self, image: bytes) -> str:
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                self.cmd, "stdin", "stdout", "-l", self.languages, "--psm", "3", "tsv",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"},
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(image), self.timeout_s)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise TesseractError(f"tesseract took longer than {self.timeout_s} s") from None
        if proc.returncode != 0:
            raise TesseractError(f"tesseract exited {proc.returncode}: {err.decode(errors='replace')[:300]}")
        return out.decode(errors="replace")
