"""`python -m fotoai.cli`."""

from fotoai.cli.main import main

main()
