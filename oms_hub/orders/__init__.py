"""Orders domain: which version of a record wins, and conforming staged rows to core tables."""
