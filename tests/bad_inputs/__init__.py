"""A corpus of bad and odd raw customer files, each one named mutation of the default file."""
