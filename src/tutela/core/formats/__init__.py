"""Seller files in, neutral rows out: reading (encodings, delimiters, streaming), the
formats (found by their headers, columns mapped by name), and values (dates, amounts,
countries). Pure: no policy, no storage."""
