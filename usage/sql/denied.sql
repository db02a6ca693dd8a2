-- Denied attempts per principal: the action tried (or the raw operation when
-- unmapped), each distinct event counted with its weight (see accesses.sql).
SELECT principal, attempted, CAST(sum(w) AS BIGINT) AS n
FROM (
    SELECT
        principal,
        CASE WHEN action <> '' THEN action ELSE service || ':' || operation END AS attempted,
        event_id,
        max(weight) AS w
    FROM events
    WHERE provider = $1
      AND outcome = 'denied'
      AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
      {{PRINCIPALS}}
    GROUP BY ALL
)
GROUP BY principal, attempted
ORDER BY principal, attempted
