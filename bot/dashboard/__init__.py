"""The admin dashboard: a private signed link from /helpstats to a page of charts."""
