"""Pure tagging logic: image transforms, quality, colours, score calibration, vocabularies.

Nothing here knows Kafka, object storage, SQL or the event contracts; it works on numpy arrays
and plain dataclasses so it can be tested and benchmarked on its own.
"""
