"""The gateway's pure rules: token checks, budgets, sniffing, names, multipart parsing, views.

Nothing here talks to Kafka, the object store, Redis or the catalog.
"""
