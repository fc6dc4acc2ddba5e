"""Tesseract's worker processes: the model loaded once, and a bad picture, a dead worker or a read
past its timeout cost one worker, never the service (real Tesseract, Debian's language data)."""

from __future__ import annotations

import io
import os
import signal

import numpy as np
import pytest
from fotoai.text.adapters.tesseract import TesseractError, TesseractOcr, find_tessdata
from fotoai.text.domain.words import lines_from_tsv
from PIL import Image, ImageDraw, ImageFont

from .test_recognize_text import needs_tesseract

pytestmark = needs_tesseract


def pgm(text: str = "PLATFORM 9", size: tuple[int, int] = (900, 200)) -> bytes:
    im = Image.new("L", size, 240)
    ImageDraw.Draw(im).text((40, 50), text, fill=20, font=ImageFont.load_default(size=80))
    out = io.BytesIO()
    im.save(out, format="PPM")
    return out.getvalue()


@pytest.fixture
async def ocr():
    engine = TesseractOcr("eng", 60, 1)
    yield engine
    engine.close()


def worker_pids(engine: TesseractOcr) -> list[int]:
    return [w._proc.pid for w in engine._idle if w._proc.pid is not None]


async def test_one_worker_reads_picture_after_picture(ocr) -> None:
    assert ocr.name.startswith("tesseract 5")
    [pid] = worker_pids(ocr)
    for text in ("PLATFORM 9", "BUS STOP 42"):
        assert lines_from_tsv(await ocr.read_tsv(pgm(text)), 55) == [text]
    assert worker_pids(ocr) == [pid]  # the same process: the model was loaded once


async def test_a_picture_tesseract_cannot_read_fails_alone(ocr) -> None:
    with pytest.raises(TesseractError):
        await ocr.read_tsv(b"not a picture")
    assert lines_from_tsv(await ocr.read_tsv(pgm()), 55) == ["PLATFORM 9"]


async def test_a_worker_that_died_is_replaced(ocr) -> None:
    [pid] = worker_pids(ocr)
    os.kill(pid, signal.SIGKILL)
    assert lines_from_tsv(await ocr.read_tsv(pgm()), 55) == ["PLATFORM 9"]
    assert worker_pids(ocr) != [pid]


async def test_a_read_past_the_timeout_kills_its_worker_and_the_next_read_gets_a_new_one(ocr) -> None:
    [pid] = worker_pids(ocr)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (1500, 2000), dtype=np.uint8))
    out = io.BytesIO()
    noise.save(out, format="PPM")
    ocr.timeout_s = 0.05
    with pytest.raises(TesseractError, match="longer than"):
        await ocr.read_tsv(out.getvalue())
    assert worker_pids(ocr) == []  # killed, not returned to the pool
    ocr.timeout_s = 60
    assert lines_from_tsv(await ocr.read_tsv(pgm()), 55) == ["PLATFORM 9"]
    assert worker_pids(ocr) not in ([], [pid])


def test_missing_language_data_is_said_at_start(tmp_path) -> None:
    with pytest.raises(TesseractError, match="FOTOAI_TEXT__TESSDATA_DIR"):
        find_tessdata("eng", str(tmp_path))
    with pytest.raises(TesseractError, match="xyz"):
        TesseractOcr("eng+xyz", 60, 1)
