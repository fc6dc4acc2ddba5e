"""Adapters of the enhance service: backend selection and the learned-model loader."""
