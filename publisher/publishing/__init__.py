"""Getting approved posts out: claiming and recording deliveries, the worker and its HTTP session,
reconciliation, holds, alerts, a person's decisions, health, the public feeds, the history of what went
out, and the channels' state as an administrator sees it."""
