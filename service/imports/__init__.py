"""Member imports: messy membership files read, normalised, staged and applied set-wise."""
