"""ETL: sources, extraction and the DuckDB warehouse. Owns every write."""
