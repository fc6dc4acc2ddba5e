"""The gateway's HTTP face: public routes, auth and rate-limit dependencies, response schemas."""
