"""Posts from the first draft to approval: composing, the four-eyes workflow, approvals and their
snapshots, the queue and calendar, and scheduled times in the office's zone."""
