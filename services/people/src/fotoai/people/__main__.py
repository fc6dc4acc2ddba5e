"""`python -m fotoai.people`: run the people service."""

from fotoai.people.main import main

main()
