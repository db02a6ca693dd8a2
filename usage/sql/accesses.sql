-- Usage per principal, action and resource inside the window.
-- Parameters: provider, from, to, include_denied. Principal filters are appended by the caller.
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
  AND time >= $2 AND time <= $3
  AND (outcome <> 'denied' OR $4)
  {{PRINCIPALS}}
GROUP BY principal, action, resource, inferred, outcome = 'denied'
ORDER BY principal, action, resource, inferred, denied
