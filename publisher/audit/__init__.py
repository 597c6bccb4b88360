"""The audit trail: who did what, when, recorded by every area through `trail.record`."""
