-- How many people and goods did North Korea commit, according to whom? (README, "Worked example")
SELECT e.event_type AS type, a1.name AS actor1, a2.name AS actor2, e.status,
       e.quantity AS qty, e.quantity_unit AS unit, c.name AS claimant, e.trigger
FROM events e
LEFT JOIN actors a1 ON a1.actor_id = e.actor1_id
LEFT JOIN actors a2 ON a2.actor_id = e.actor2_id
LEFT JOIN actors c  ON c.actor_id  = e.claimant_id
WHERE a1.country_code = 'PRK' AND e.quantity IS NOT NULL
ORDER BY e.quantity DESC;
