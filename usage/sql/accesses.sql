-- Usage per principal, action and resource inside the window, for the
-- principals of one partition (hash(principal) % partitions = partition).
-- Parameters: provider, from, to, include_denied, partitions, partition.
-- Principal filters are appended by the caller.
SELECT
    principal,
    min(principal_kind)                                    AS kind,
    action,
    resource,
    inferred,
    outcome = 'denied'                                     AS denied,
    count(DISTINCT event_id)                               AS n,
    min(time)                                              AS first,
    max(time)                                              AS last,
    coalesce(string_agg(DISTINCT region, ',' ORDER BY region) FILTER (WHERE region <> ''), '') AS regions,
    coalesce(string_agg(DISTINCT via, ',' ORDER BY via) FILTER (WHERE via <> ''), '')          AS via,
    arg_min(event_id, (time, event_id))                    AS first_id,
    arg_max(event_id, (time, event_id))                    AS last_id
FROM events
WHERE provider = $1
  AND action <> ''
  AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
  AND (outcome <> 'denied' OR $4)
  AND hash(principal) % CAST($5 AS UBIGINT) = CAST($6 AS UBIGINT)
  {{PRINCIPALS}}
GROUP BY principal, action, resource, inferred, outcome = 'denied'
ORDER BY principal, action, resource, inferred, denied
