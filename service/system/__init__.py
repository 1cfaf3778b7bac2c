"""Health checks, the OpenAPI document and the API docs page."""
