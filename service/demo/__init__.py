"""Demo data: a deterministic, realistic population of mentees and mentors."""
