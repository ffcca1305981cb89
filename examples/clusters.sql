-- The real-world actions reported more than once, and the sentences behind them (docs/analysts.md, "Querying the warehouse")
SELECT c.event_type, c.actor1_name, c.num_sources AS srcs, c.num_mentions AS reps,
       s.file_name[:3] AS file, m.sentence_start AS at, left(m.sentence, 44) AS evidence
FROM event_clusters c
JOIN event_cluster_members m USING (cluster_id)
JOIN sources s USING (source_id)
WHERE c.num_mentions > 1
ORDER BY c.num_mentions DESC, c.cluster_id, s.file_name, m.sentence_start
LIMIT 4;
