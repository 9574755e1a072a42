"""Small helpers with no layer of their own: warnings at the user's line,
unknown-argument handling, field docs, iterator closing."""
