"""One spider per source kind; each crawls one entry of ``config/sources.yaml``."""
