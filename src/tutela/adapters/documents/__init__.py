"""Documents Tutela hands out as files (printable HTML, PDF): rendered from facts only, so the
CLI, the REST API and the console can all offer the same document."""

from tutela.adapters.documents.certificate import certificate_html, certificate_pdf
from tutela.adapters.documents.subject_summary import summary_html

__all__ = ["certificate_html", "certificate_pdf", "summary_html"]
