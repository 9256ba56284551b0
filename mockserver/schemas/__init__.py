"""Pydantic wire models: the single source of every request and response shape."""
