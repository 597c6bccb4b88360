"""People: accounts, roles, passwords and API tokens, signing in, a person's own profile, and what an
administrator does with other people's accounts."""
