-- One line per principal inside the window: kind and events, each event
-- counted with its weight (see accesses.sql).
-- Events are deduplicated first, so the aggregate can spill to disk.
-- Parameters: provider, from, to. Principal filters are appended by the caller.
SELECT principal, min(kind) AS kind, CAST(sum(w) AS BIGINT) AS events
FROM (
    SELECT principal, event_id, min(principal_kind) AS kind, max(weight) AS w
    FROM events
    WHERE provider = $1
      AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
      {{PRINCIPALS}}
    GROUP BY principal, event_id
)
GROUP BY principal
ORDER BY principal
