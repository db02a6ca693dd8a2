-- How many event rows a usage query covers, to size its partitions: rows,
-- not weights, are what a partition holds.
-- Parameters: provider, from, to. Principal filters are appended by the caller.
SELECT count(*)
FROM events
WHERE provider = $1
  AND time >= CAST($2 AS TIMESTAMP) AND time <= CAST($3 AS TIMESTAMP)
  {{PRINCIPALS}}
