"""Django's SQLite backend with PostgreSQL's integer ranges, so both databases accept and refuse the same input."""
