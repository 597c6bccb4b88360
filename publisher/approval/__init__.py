"""Four eyes for anything the office publishes or sends: an area registers a subject type, the service keeps the
approval requests, the frozen versions approved and the send-backs (docs/architecture.md, "Approval of anything")."""
