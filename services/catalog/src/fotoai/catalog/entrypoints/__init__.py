"""How the outside reaches the catalog: Kafka handlers (kafka.py) and the internal query API
(http.py). They translate a message or a request into a use-case call and nothing more."""
