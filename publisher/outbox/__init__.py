"""The outbox: every e-mail the product sends is queued here, in the caller's transaction, and the worker
sends it, one SMTP transaction per recipient, never twice (docs/architecture.md, "Outbox")."""
