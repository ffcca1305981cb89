-- The most reported actor pairs, from the Parquet export: any DuckDB version (or polars, pandas) reads these files
SELECT actor1_name, actor2_name, quad_class_name,
       count(*) AS reports, count(DISTINCT cluster_id) AS actions,
       count(DISTINCT source_id) AS sources
FROM 'export/event_facts.parquet'
WHERE actor2_name IS NOT NULL
GROUP BY ALL
ORDER BY reports DESC, actor1_name, quad_class_name
LIMIT 5;
