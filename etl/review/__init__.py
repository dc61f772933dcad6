"""Human review of extracted figures: the review store (SQLite, WAL), its overlay at publish, and its export."""
