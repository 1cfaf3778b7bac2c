"""Next steps: which certification fits a person now, what is missing, and events that help."""
