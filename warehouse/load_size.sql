-- How many events the warehouse holds, from the catalog (no scan): sizes a load's memory limit (warehouse/load.py).
SELECT estimated_size FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'
  AND table_name = 'events';
