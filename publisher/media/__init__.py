"""The media library: files stored once by their bytes, inspected before they are accepted, described,
searched and shown."""
