"""`python -m fotoai.ingest`: run the ingest service."""

from fotoai.ingest.main import main

main()
