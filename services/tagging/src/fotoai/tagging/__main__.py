"""`python -m fotoai.tagging`: run the tagging service."""

from fotoai.tagging.main import main

main()
