"""The destinations the office publishes to, as both posts and publishing need them: the configured
channels with their encrypted credentials, the adapter built for each, and the `Content` handed to it."""
