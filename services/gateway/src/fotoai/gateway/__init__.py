"""FotoAI gateway service."""
