"""The public site's services: what it may read (reads), its database access (database, role), and the one
protection every public form goes through (form_guard)."""
