-- Operations no catalog action could be found for, with why and one event to look at.
SELECT
    principal,
    service,
    operation,
    min(unmapped)                       AS reason,
    count(DISTINCT event_id)            AS n,
    min(event_id)                       AS sample
FROM events
WHERE provider = $1
  AND action = ''
  AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
  {{PRINCIPALS}}
GROUP BY principal, service, operation
ORDER BY principal, service, operation
