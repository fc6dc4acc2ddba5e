"""Implementations of the gateway's ports: catalog HTTP client, JWKS, Redis and in-process stores."""
