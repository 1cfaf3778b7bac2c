"""The PM taxonomy: skills, tools, certifications, goals and industries."""
