"""`python -m fotoai.catalog`: run the catalog service."""

from fotoai.catalog.main import main

main()
