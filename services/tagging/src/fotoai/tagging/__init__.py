"""FotoAI tagging service."""
