"""PDF documents from HTML templates (WeasyPrint): the font with the Serbian Cyrillic forms (fonts), whether this
machine can make PDFs at all (readiness), and rendering a template in a language to PDF bytes (rendering).

Imports only core; no database. Its users hand in where their templates and words are (rendering.DocumentSetup):
the approval record of a post first (publisher.posts.approval_record), then the weekly plan, press releases,
answers to requests and the quarterly report.
"""
