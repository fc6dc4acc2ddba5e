"""`python -m fotoai.enhance`: run the enhance service."""

from fotoai.enhance.main import main

main()
