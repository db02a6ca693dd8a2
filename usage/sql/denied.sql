-- Denied attempts per principal: the action tried (or the raw operation when unmapped).
SELECT
    principal,
    CASE WHEN action <> '' THEN action ELSE service || ':' || operation END AS attempted,
    count(DISTINCT event_id) AS n
FROM events
WHERE provider = $1
  AND outcome = 'denied'
  AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
  {{PRINCIPALS}}
GROUP BY ALL
ORDER BY principal, attempted
