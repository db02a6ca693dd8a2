-- Usage per principal, action and resource inside the window, for the
-- principals of one partition (hash(principal) % partitions = partition).
-- Parameters: provider, from, to, include_denied, partitions, partition.
-- Principal filters are appended by the caller.
--
-- Events are deduplicated first (the same event delivered in two files
-- counts once) with plain aggregates that can spill to disk, so the query
-- runs within the store's memory limit however large the partition.
-- A row stands for weight occurrences (a Log Analytics rollup is two rows,
-- at its first and last time, sharing one event id): counts are sums of
-- weights over distinct events.
WITH per_event AS (
    SELECT
        principal, action, resource, inferred, outcome = 'denied' AS denied, event_id,
        min(principal_kind) AS kind,
        max(weight)         AS w,
        min(time)           AS t,
        max(time)           AS t_last,
        min(region)         AS region,
        min(via)            AS via
    FROM events
    WHERE provider = $1
      AND action <> ''
      AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
      AND (outcome <> 'denied' OR $4)
      AND hash(principal) % CAST($5 AS UBIGINT) = CAST($6 AS UBIGINT)
      {{PRINCIPALS}}
    GROUP BY principal, action, resource, inferred, outcome = 'denied', event_id
)
SELECT
    principal,
    min(kind)                                   AS kind,
    action,
    resource,
    inferred,
    denied,
    CAST(sum(w) AS BIGINT)                      AS n,
    min(t)                                      AS first,
    max(t_last)                                 AS last,
    coalesce(string_agg(DISTINCT region, ',' ORDER BY region) FILTER (WHERE region <> ''), '') AS regions,
    coalesce(string_agg(DISTINCT via, ',' ORDER BY via) FILTER (WHERE via <> ''), '')          AS via,
    min({'t': t, 'id': event_id}).id            AS first_id,
    max({'t': t_last, 'id': event_id}).id       AS last_id
FROM per_event
GROUP BY principal, action, resource, inferred, denied
ORDER BY principal, action, resource, inferred, denied
