"""Office documents and scans (PDF, DOCX, XLSX, PPTX, ODT, ODS, images): checked by their bytes, stored once by
SHA-256, versioned, and attached to any record (a post today; requests, letters and reports later)."""
