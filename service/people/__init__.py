"""People: sign-up, profiles, export and erasure."""
