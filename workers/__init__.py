"""arq background jobs. Imports matching and service repositories/settings, never web modules."""
