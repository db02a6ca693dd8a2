// Package fakegitlab is an HTTP server that speaks the part of GitLab's
// REST API v4 that pare uses for merge requests, and checks every request
// against the documentation: list a project's merge requests (GET
// /api/v4/projects/{id}/merge_requests with state, source_branch,
// target_branch, order_by, sort, per_page, page), create one (POST
// .../merge_requests) and update one (PUT .../merge_requests/{iid}: title,
// description, labels, add_labels, remove_labels, state_event). The project
// id is its URL-encoded path or its numeric id. It checks the method, the
// path, the query, the PRIVATE-TOKEN (or Bearer) header and the JSON fields
// and their types; anything off is answered as GitLab would (400, 401, 404)
// and recorded in Problems. It keeps its merge requests in memory, refuses
// a second open merge request from the same source branch with GitLab's 409
// "Another open merge request already exists", records the calls it sees,
// and answers injected Faults (429 rate limits, errors) first.
//
// It is test support. It must never be imported by non-test code, listen on
// anything but the loopback address, or reach the network.
package fakegitlab
