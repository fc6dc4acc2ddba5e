"""The enhancement algorithm, pure: analysis, planning, and the CPU and torch pipelines.

Nothing here knows Kafka, object storage, SQL or the event contracts. `import torch` happens only
inside `torch_pipeline` and `learned`, so the CPU service starts without it.
"""
