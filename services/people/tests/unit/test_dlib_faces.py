"""dlib's descriptor from the face-recognition-models package: one face in two photos is near,
two people are far (the threshold 0.6 lies between)."""

import numpy as np
from fotoai.people.adapters.dlib_faces import DlibFaceEmbedder
from PIL import Image
from skimage import data


def test_same_face_near_other_face_far():
    from matplotlib import cbook

    embedder = DlibFaceEmbedder()
    a = data.astronaut()
    variant = Image.fromarray(a).resize((384, 384)).rotate(5)
    variant = (np.asarray(variant).astype(np.float32) * 0.7).astype(np.uint8)
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        hopper = np.asarray(Image.open(f).convert("RGB"))
    # Boxes as a face detector finds them on these images (tagging's Haar cascade, when written).
    [ea] = embedder.embed(a, [(178, 69, 270, 161)])
    [ev] = embedder.embed(variant, [(121, 51, 196, 126)])
    [eh] = embedder.embed(hopper, [(149, 102, 378, 331)])
    assert ea.shape == (128,)
    assert np.linalg.norm(ea - ev) < 0.45
    assert np.linalg.norm(ea - eh) > 0.6
