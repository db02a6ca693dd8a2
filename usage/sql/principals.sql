-- One line per principal inside the window: kind, distinct events, denied and unmapped counts.
-- Parameters: provider, from, to. Principal filters are appended by the caller.
SELECT
    principal,
    min(principal_kind)                                           AS kind,
    count(DISTINCT event_id)                                      AS events,
    count(DISTINCT event_id) FILTER (WHERE outcome = 'denied')    AS denied
FROM events
WHERE provider = $1
  AND time >= $2 AND time <= $3
  {{PRINCIPALS}}
GROUP BY principal
ORDER BY principal
