"""The weekly digest email: suggestions and the next step, queued once per person and week."""
