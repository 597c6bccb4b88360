"""The activities' pages: the events, their preparation and follow-up, the office's list of officials.
The public agenda lives with the other public pages (web/public)."""
