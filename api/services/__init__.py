"""The service layer: plain functions over a SQLAlchemy ``Session`` and values. No FastAPI here.

Errors are :class:`api.services.errors.ServiceError` subclasses; ``api.app`` maps them to HTTP statuses.
"""
