"""The ground every area stands on: settings, the database and its tables, the runtime, the allowed
moves of posts and deliveries, and the errors services raise. It imports no area."""
