"""FotoAI enhance service."""
