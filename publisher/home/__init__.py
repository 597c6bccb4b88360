"""What the dashboard's home page tells one person: their queue, what waits for a person, and health."""
