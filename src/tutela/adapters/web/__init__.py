"""The staff console: server-rendered pages (Jinja2), English and Simplified Chinese."""
