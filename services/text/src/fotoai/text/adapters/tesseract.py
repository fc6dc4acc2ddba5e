"""Tesseract in long-lived worker processes: an image (PGM) in, TSV out.

Each worker is a process of its own (spawned, not forked) that loads Tesseract's model once
through `tesserocr` (its wheel bundles libtesseract 5.5) and then reads one picture at a time:
a crash or a pathological picture takes down a worker, never the service, and a read that runs
past the timeout kills its worker, which is replaced on the next read. Starting the `tesseract`
program for every photo instead cost ~70 ms of CPU before it read anything (loading the model),
more than reading a strip of text takes (~15 ms).

The language data is Debian's (`tesseract-ocr`, installed by `deploy/local/bootstrap.sh` and the
Dockerfile): `tessdata_dir` when set, else `$TESSDATA_PREFIX`, else the usual Debian and
/usr/local places.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path

#: Where distributions put the language data (Debian 12/13: tesseract-ocr 5.x).
TESSDATA_PLACES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
START_TIMEOUT_S = 60.0
_ERROR = b"\0error:"


class TesseractError(RuntimeError):
    pass


class WorkerDied(TesseractError):
    """The worker's process ended (killed, out of memory, crashed) before it answered."""


def find_tessdata(languages: str, configured: str | None = None) -> str:
    """The directory holding every `<language>.traineddata` of `languages` (e.g. "eng+por")."""
    wanted = [f"{lang}.traineddata" for lang in languages.split("+")]
    candidates = [configured] if configured else [os.environ.get("TESSDATA_PREFIX"), *TESSDATA_PLACES]
    for place in filter(None, candidates):
        if all((Path(place) / name).is_file() for name in wanted):
            return str(place)
    raise TesseractError(
        f"no Tesseract language data for {languages!r} in {', '.join(filter(None, candidates))}: install "
        "tesseract-ocr and its language packs (deploy/local/bootstrap.sh), or set FOTOAI_TEXT__TESSDATA_DIR"
    )


def _serve(conn: Connection, tessdata: str, languages: str) -> None:
    """The worker: load the model, say "ready", then answer each picture with its TSV."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per worker; replicas scale out
    try:
        import tesserocr
        from PIL import Image

        api = tesserocr.PyTessBaseAPI(path=tessdata, lang=languages, psm=tesserocr.PSM.AUTO)
    except Exception as exc:  # noqa: BLE001 — reported to the parent, which raises it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", tesserocr.tesseract_version().splitlines()[0].strip()))
    while True:
        try:
            picture = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            api.SetImage(Image.open(io.BytesIO(picture)))
            reply = api.GetTSVText(0).encode()
        except Exception as exc:  # noqa: BLE001 — one bad picture, not the worker
            reply = _ERROR + f"{type(exc).__name__}: {exc}".encode()[:300]
        conn.send_bytes(reply)


class _Worker:
    """One worker process and its pipe; blocking calls (run them in a thread)."""

    def __init__(self, tessdata: str, languages: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, tessdata, languages), daemon=True,
                                 name="tesseract-worker")
        self._proc.start()
        child.close()
        try:
            if not self._conn.poll(START_TIMEOUT_S):
                raise TesseractError(f"the Tesseract worker did not start in {START_TIMEOUT_S:.0f} s")
            status, detail = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.close()
            raise TesseractError(f"the Tesseract worker died while starting: {exc}") from exc
        except TesseractError:
            self.close()
            raise
        if status != "ready":
            self.close()
            raise TesseractError(f"Tesseract could not load {languages!r} from {tessdata}: {detail}")
        self.version: str = detail

    def read(self, picture: bytes, timeout_s: float) -> str:
        try:
            self._conn.send_bytes(picture)
            if not self._conn.poll(timeout_s):
                self.close()
                raise TesseractError(f"tesseract took longer than {timeout_s} s")
            reply = self._conn.recv_bytes()
        except (EOFError, OSError) as exc:
            self.close()
            raise WorkerDied(f"the Tesseract worker died: {exc}") from exc
        if reply.startswith(_ERROR):
            raise TesseractError(f"tesseract could not read the picture: {reply[len(_ERROR):].decode(errors='replace')}")
        return reply.decode(errors="replace")

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(5)
        self._conn.close()


class TesseractOcr:
    """Up to `concurrency` worker processes, started on demand (one at construction: it fails
    fast on missing language data and gives the engine's name)."""

    def __init__(self, languages: str, timeout_s: float, concurrency: int, tessdata_dir: str | None = None) -> None:
        self.languages = languages
        self.timeout_s = timeout_s
        self.tessdata = find_tessdata(languages, tessdata_dir)
        first = _Worker(self.tessdata, languages)
        self.name = first.version  # e.g. "tesseract 5.5.4"
        self._idle: list[_Worker] = [first]
        self._slots = asyncio.Semaphore(concurrency)

    async def read_tsv(self, image: bytes) -> str:
        async with self._slots:
            try:
                return await self._read(image)
            except WorkerDied:
                # Once more on a new worker: one that died while idle (killed, out of memory)
                # says nothing about this picture. A picture that kills Tesseract fails twice.
                return await self._read(image)

    async def _read(self, image: bytes) -> str:
        worker = self._idle.pop() if self._idle else None
        try:
            if worker is None or not worker.alive:
                worker = await asyncio.to_thread(_Worker, self.tessdata, self.languages)
            tsv = await asyncio.to_thread(worker.read, image, self.timeout_s)
        except BaseException:
            if worker is not None:
                worker.close()  # a timeout, a death or a cancellation: never reuse that worker
            raise
        self._idle.append(worker)
        return tsv

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
