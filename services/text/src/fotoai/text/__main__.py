"""`python -m fotoai.text`: run the text service."""

from fotoai.text.main import main

main()
