"""The ground every area stands on: settings (config), engines and sessions (db), the tables (models), the
runtime, the schema, the allowed moves of posts and deliveries (states), who may do what (permissions),
who acts (actor), channel credentials encrypted at rest, a list's first rows (listing), and the errors
services raise. It imports no area."""
