"""FotoAI ingest service."""
