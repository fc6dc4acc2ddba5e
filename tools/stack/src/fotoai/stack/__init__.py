"""FotoAI package."""
