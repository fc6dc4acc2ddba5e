"""The gate and the use case on rendered signs and on photos without text (real Tesseract)."""

import io

import numpy as np
import pytest
from fotoai.contracts import PhotoIngestedV1, Rendition
from fotoai.text.adapters.tesseract import TesseractError, TesseractOcr, find_tessdata
from fotoai.text.config import TextOptions
from fotoai.text.domain.gate import AREA_GAP, looks_like_text, ocr_input, stack_areas, text_areas
from fotoai.text.domain.words import lines_from_tsv
from fotoai.text.use_cases import MissingRendition, RecognizeText, _pgm
from PIL import Image, ImageDraw, ImageFont
from skimage import data as samples


def _has_language_data() -> bool:
    try:
        find_tessdata("eng")
    except TesseractError:
        return False
    return True


needs_tesseract = pytest.mark.skipif(not _has_language_data(), reason="tesseract-ocr's language data not installed")


def sign(lines=("WELCOME TO", "LISBON CAFE"), size=(1200, 500)) -> Image.Image:
    im = Image.new("RGB", size, (245, 240, 225))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=90)
    for i, line in enumerate(lines):
        draw.text((60, 80 + i * 150), line, fill=(20, 30, 90), font=font)
    return im


def jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=90)
    return out.getvalue()


def grey(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L"))


def test_the_gate_sees_a_sign():
    assert looks_like_text(grey(sign()))


@pytest.mark.parametrize("photo", [samples.astronaut, samples.chelsea, samples.rocket])
def test_the_gate_passes_over_photos_without_text(photo):
    assert not looks_like_text(np.asarray(Image.fromarray(photo()).convert("L")))


def test_the_gate_passes_over_a_flat_image():
    assert not looks_like_text(np.full((400, 600), 128, np.uint8))


def sign_in_a_photo() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 960x400 sign pasted into a 2000x1500 photo of coffee, and where (x0, y0, x1, y1)."""
    photo = Image.fromarray(samples.coffee()).resize((2000, 1500))
    photo.paste(sign().resize((960, 400)), (1000, 1060))
    return grey(photo), (1000, 1060, 1960, 1460)


def test_ocr_reads_only_around_the_lines_the_gate_saw():
    picture, (sx0, sy0, sx1, sy1) = sign_in_a_photo()
    area = ocr_input(picture)
    assert area is not None
    assert area.size < picture.size / 4  # a strip around the sign, not the 3 MP photo
    # Taken from the picture at its own resolution, around the sign's lines of text.
    assert area.shape[0] >= 0.5 * (sy1 - sy0) and area.shape[1] >= 0.8 * (sx1 - sx0)


def test_text_areas_grow_around_each_line_merge_when_they_meet_and_are_whole_for_a_page():
    whole = [(0.0, 0.0, 1.0, 1.0)]
    assert text_areas([], (640, 480)) == whole
    [(x0, y0, x1, y1)] = text_areas([(320, 240, 80, 10)], (640, 480))
    # A quarter of the width plus a line to each side, two lines above and below.
    assert (x0 * 640, y0 * 480, x1 * 640, y1 * 480) == pytest.approx((290, 220, 430, 270))
    # Two lines of one sign: one area. Two textures far apart: two areas, top first.
    assert len(text_areas([(100, 100, 200, 20), (100, 130, 180, 20)], (640, 480))) == 1
    apart = text_areas([(300, 400, 80, 16), (100, 50, 80, 24)], (640, 480))
    assert len(apart) == 2 and apart[0][1] < apart[1][1]
    # Lines all over the picture (a page of text): read it whole.
    assert text_areas([(20, y, 600, 12) for y in range(20, 460, 30)], (640, 480)) == whole


def test_areas_are_stacked_on_white_for_one_pass():
    a, b = np.zeros((10, 30), np.uint8), np.full((20, 50), 7, np.uint8)
    stacked = stack_areas([a, b])
    assert stacked.shape == (10 + AREA_GAP + 20, 50)
    assert (stacked[:10, :30] == 0).all() and (stacked[:10, 30:] == 255).all()
    assert (stacked[10:10 + AREA_GAP] == 255).all() and (stacked[10 + AREA_GAP:] == 7).all()
    assert stack_areas([a]) is a


def test_two_signs_far_apart_are_both_read_in_one_picture_smaller_than_the_photo():
    photo = Image.fromarray(samples.coffee()).resize((2000, 1500))
    photo.paste(sign(("OPEN DAILY",)).resize((900, 380)), (60, 40))
    photo.paste(sign(("BUS STOP 42",)).resize((900, 380)), (1050, 1080))
    area = ocr_input(grey(photo))
    assert area is not None and area.size < 2000 * 1500 / 2
    if _has_language_data():
        import asyncio

        tsv = asyncio.run(TesseractOcr("eng", 60, 1).read_tsv(_pgm(area, 2000)))
        text = " ".join(lines_from_tsv(tsv, 55))
        assert "OPEN DAILY" in text and "BUS STOP 42" in text


def test_without_the_gate_the_whole_picture_is_read_and_with_it_a_plain_photo_is_not():
    flat = np.full((400, 600), 128, np.uint8)
    assert ocr_input(flat, gate=False) is flat
    assert ocr_input(flat) is None


@needs_tesseract
async def test_a_sign_in_a_corner_of_a_photo_is_read_from_its_area():
    picture, _ = sign_in_a_photo()
    store = Store({"alice/p1/preview.jpg": jpeg(Image.fromarray(picture))})
    read = await RecognizeText(store, TesseractOcr("eng", 60, 1), TextOptions())(
        ingested("alice/p1/preview.jpg")
    )
    assert not read.gated
    assert "WELCOME" in read.text and "LISBON" in read.text


def test_low_confidence_and_punctuation_are_dropped():
    tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [("WELCOME", 96), ("TO", 95), ("|~", 90), ("ghost", 20)]
    tsv += "".join(f"5\t1\t1\t1\t1\t{i}\t0\t0\t1\t1\t{c}\t{w}\n" for i, (w, c) in enumerate(rows))
    assert lines_from_tsv(tsv, 55) == ["WELCOME TO"]


class Store:
    def __init__(self, blobs):
        self.blobs = blobs

    async def get_bytes(self, bucket, key, max_bytes=None):
        return self.blobs[key]


def ingested(key: str, name: str = "preview") -> PhotoIngestedV1:
    return PhotoIngestedV1(
        photo_id="p1", owner_id="alice", format="jpeg", width=1200, height=500,
        renditions=[Rendition(name=name, bucket="fotoai-renditions", key=key, width=1200,
                              height=500, bytes=1, mime="image/jpeg")],
    )


@needs_tesseract
async def test_a_sign_is_read_and_a_photo_is_gated():
    store = Store({"alice/p1/preview.jpg": jpeg(sign()), "alice/p2/preview.jpg": jpeg(Image.fromarray(samples.astronaut()))})
    recognize = RecognizeText(store, TesseractOcr("eng", 60, 1), TextOptions())
    event = ingested("alice/p1/preview.jpg")
    read = await recognize(event)
    assert not read.gated and "WELCOME" in read.text and "LISBON" in read.text
    assert read.engine.startswith("tesseract")
    again = await recognize(event)
    assert again.event_id == read.event_id  # a redelivery republishes the same fact
    skipped = await recognize(ingested("alice/p2/preview.jpg"))
    assert skipped.gated and skipped.text == ""


async def test_the_full_size_display_is_never_read():
    """`display` may be the uploaded bytes: only ingest's sandbox decodes those."""
    event = ingested("alice/p1/display.jpg", name="display")
    recognize = RecognizeText(Store({}), TesseractOcr("eng", 60, 1), TextOptions())
    with pytest.raises(MissingRendition):
        await recognize(event)
