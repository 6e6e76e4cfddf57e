"""Reports: marts computed from the core tables, and the files people open."""
