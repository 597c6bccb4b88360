"""Text that every area shares: Serbian Cyrillic <-> Latin transliteration. Pure functions, no database."""
