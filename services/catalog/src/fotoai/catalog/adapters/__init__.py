"""Implementations of the catalog's ports: PostgreSQL (schema, migrations, projections,
queries), the tagging service's text embedder, object deletion and the Kafka lag probe."""
