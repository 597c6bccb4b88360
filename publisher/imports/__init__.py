"""Imports from CSV and XLSX, built once for every area that takes a spreadsheet (people now; media contacts,
the register of requests and the plan's figures later).

- table: what a file holds once read (headers, rows with the row numbers the person sees) and why it
  cannot be read (Unreadable);
- csv_reading / xlsx_reading: the two formats; reading: which one a file is, by its bytes and the limits;
- fields: an import kind declares its fields (type, required, length, choices, the header names it accepts
  in four languages); matching headers to fields;
- checking: every problem at once as (row, column, code, params), and the rows as they will be written;
- staging: the uploaded file kept privately between the preview and the confirmation, bound by its SHA-256;
- writing: all rows or none, in one transaction, audited with counts.
"""
