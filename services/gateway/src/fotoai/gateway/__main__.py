"""`python -m fotoai.gateway`: run the gateway service."""

from fotoai.gateway.main import main

main()
