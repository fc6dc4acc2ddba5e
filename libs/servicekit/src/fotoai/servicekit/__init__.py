"""FotoAI servicekit: the runtime glue every service shares, written once.

Settings base, Kafka event bus (FastStream) with the retry → dead-letter policy, object store,
`create_app` (healthz, readyz, metrics, problem details), logging and tracing. Knows no events
beyond the envelope: the event models live in `fotoai.contracts`.
"""
