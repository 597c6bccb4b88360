"""Backups that restore: `take` copies a consistent snapshot of the database (SQLite's online backup, or
`pg_dump` from an exported snapshot), the media files it references and the key files, with a manifest of
counts and checksums; `restore` checks every checksum before it changes anything, then puts them back."""
