"""Test data, one module per area of the office: people, the office (people and channels), media, posts.

Each builds its thing in one call through the services, as the product would, unless a module says it
writes rows directly (for pages that only read what the worker left behind).
"""
