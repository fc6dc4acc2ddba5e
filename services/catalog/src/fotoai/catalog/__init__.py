"""FotoAI catalog service."""
