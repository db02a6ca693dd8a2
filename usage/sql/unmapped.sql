-- Operations no catalog action could be found for, with why and one event to
-- look at; each distinct event counted with its weight (see accesses.sql).
SELECT
    principal,
    service,
    operation,
    min(reason)                         AS reason,
    CAST(sum(w) AS BIGINT)              AS n,
    min(event_id)                       AS sample
FROM (
    SELECT principal, service, operation, event_id, min(unmapped) AS reason, max(weight) AS w
    FROM events
    WHERE provider = $1
      AND action = ''
      AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
      {{PRINCIPALS}}
    GROUP BY principal, service, operation, event_id
)
GROUP BY principal, service, operation
ORDER BY principal, service, operation
