// Package fakegithub is an HTTP server that speaks the part of GitHub's
// REST API (version 2022-11-28) that pare uses for pull requests, and checks
// every request against the documentation: list pull requests (GET
// /repos/{owner}/{repo}/pulls with state, head, base, sort, direction,
// per_page, page), create one (POST /repos/{owner}/{repo}/pulls), update one
// (PATCH /repos/{owner}/{repo}/pulls/{number}) and add labels (POST
// /repos/{owner}/{repo}/issues/{number}/labels). It checks the method, the
// path, the query, the Authorization header (Bearer or token), the media
// type and the JSON fields and their types; anything off is answered as
// GitHub would (401, 404, 422) and recorded in Problems. It keeps its pull
// requests in memory, refuses a second open pull request for the same head
// and base with GitHub's 422 "A pull request already exists", refuses to
// reopen a closed pull request whose head branch was force-pushed since
// (ForcePush) with GitHub's 422, records the calls it sees, and answers
// injected Faults (rate limits, errors) first.
//
// It is test support. It must never be imported by non-test code, listen on
// anything but the loopback address, or reach the network.
package fakegithub
