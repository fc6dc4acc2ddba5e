"""The catalog's pure rules: how events merge into a photo's state, status, duplicates,
keyset cursors and consumer lag. No Kafka, S3 or SQL here."""
