"""One module per capability; functions named as verbs with keyword-only arguments."""
