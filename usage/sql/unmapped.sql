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
  AND time >= $2 AND time <= $3
  {{PRINCIPALS}}
GROUP BY principal, service, operation
ORDER BY principal, service, operation
