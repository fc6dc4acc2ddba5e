"""The `fotoai` command-line client of the local stack: tokens, uploads, listing, search."""
