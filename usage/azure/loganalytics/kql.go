package loganalytics

import (
	"strings"
	"time"
)

// kqlTemplate is the query run for each slice, with {FROM} and {TO} replaced
// by datetime literals that kqlTime formats. Nothing else is ever spliced
// in: every other string in it is a constant.
//
// What it does, step by step:
//
//  1. The slice is half-open, [FROM, TO), so adjacent slices never count an
//     event twice (KQL's between is inclusive at both ends).
//  2. Only the Administrative category: a principal's own control-plane
//     writes, deletes and actions. ServiceHealth, ResourceHealth, Alert,
//     Autoscale, Recommendation, Policy and Security events are not.
//  3. Started (the BeginRequest half of every write, delete and action)
//     carries no outcome and is dropped; the EndRequest half (Succeeded,
//     Failed, Canceled) or, for asynchronous operations, Accepted, remains.
//  4. The dynamic columns (Authorization_d, Claims_d, Properties_d) are
//     preferred, and the legacy string columns parsed when they are empty;
//     column_ifexists keeps the query valid in workspaces without them.
//  5. principal is the caller's object id: the token's oid claim, else the
//     role assignment evidence's principalId unless that names a group
//     (then the caller is unknown; Query counts and skips such rows).
//  6. kind, named as the Activity Log file reader (usage/azure) names it:
//     managed-identity (the token has xms_mirid), service-principal (idtyp
//     app, or an app token: appid and oid without user claims), user (idtyp
//     user, upn, puid or a delegated scope), else the evidence's
//     principalType (User and ServicePrincipal as above, others
//     lower-cased), else "unknown".
//  7. outcome: denied when authorization failed (AuthorizationFailed or
//     LinkedAuthorizationFailed in the status message, or HTTP 403 /
//     Forbidden unless Azure Policy refused it: a policy refusal still used
//     the permission), allowed for Succeeded and Accepted, error otherwise.
//  8. One logical operation per correlation id, operation and resource: its
//     remaining events (Accepted then Succeeded for an asynchronous one)
//     collapse into one, whose outcome is the most final one seen
//     (Succeeded > other failure > denied > Accepted) and whose time is the
//     earliest. A client may reuse a correlation id, so the caller is part
//     of the key. An operation whose Accepted and final events fall in
//     different slices counts once in each: counts can run high by those,
//     the set of operations never changes.
//  9. summarize by principal, kind, caller, operation, scope and outcome.
const kqlTemplate = `AzureActivity
| where TimeGenerated >= datetime({FROM}) and TimeGenerated < datetime({TO})
| where CategoryValue == "Administrative"
| where ActivityStatusValue !~ "Started"
| extend auth_ = column_ifexists("Authorization_d", dynamic(null)), claims_ = column_ifexists("Claims_d", dynamic(null)), props_ = column_ifexists("Properties_d", dynamic(null))
| extend auth_ = iff(isempty(tostring(auth_)), parse_json(Authorization), auth_), claims_ = iff(isempty(tostring(claims_)), parse_json(Claims), claims_), props_ = iff(isempty(tostring(props_)), parse_json(Properties), props_)
| extend oid_ = coalesce(tostring(claims_["http://schemas.microsoft.com/identity/claims/objectidentifier"]), tostring(claims_["oid"])), evid_ = tostring(auth_.evidence.principalId), etype_ = tostring(auth_.evidence.principalType), upn_ = tostring(claims_["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"]), appid_ = tostring(claims_["appid"]), idtyp_ = tostring(claims_["idtyp"])
| extend delegated_ = isnotempty(upn_) or isnotempty(tostring(claims_["puid"])) or isnotempty(tostring(claims_["http://schemas.microsoft.com/identity/claims/scope"])) or isnotempty(tostring(claims_["scp"]))
| extend principal = iff(isnotempty(oid_), oid_, iff(etype_ in~ ("Group", "ForeignGroup"), "", evid_))
| extend kind = case(isnotempty(tostring(claims_["xms_mirid"])), "managed-identity", idtyp_ =~ "app", "service-principal", idtyp_ =~ "user", "user", delegated_, "user", isnotempty(appid_) and isnotempty(oid_), "service-principal", etype_ =~ "User", "user", etype_ =~ "ServicePrincipal", "service-principal", isnotempty(etype_), tolower(etype_), "unknown")
| extend caller = case(isnotempty(upn_), upn_, kind == "user", Caller, isnotempty(appid_), appid_, Caller)
| extend smsg_ = tostring(props_.statusMessage), scode_ = tostring(props_.statusCode)
| extend outcome = case(smsg_ contains "AuthorizationFailed", "denied", (ActivitySubstatusValue has "Forbidden" or ActivitySubstatusValue has "403" or scode_ =~ "Forbidden" or scode_ == "403") and not(smsg_ contains "RequestDisallowedByPolicy"), "denied", ActivityStatusValue in~ ("Succeeded", "Accepted"), "allowed", "error")
| extend rank_ = case(outcome == "allowed" and ActivityStatusValue !~ "Accepted", 4, outcome == "error", 3, outcome == "denied", 2, 1)
| extend op_ = iff(isempty(CorrelationId), strcat("event:", EventDataId), CorrelationId), scope = iff(isnotempty(_ResourceId), _ResourceId, ResourceId), operation = OperationNameValue
| summarize rank_ = max(rank_), t_ = min(TimeGenerated) by op_, principal, kind, caller, operation, scope
| extend outcome = case(rank_ == 4, "allowed", rank_ == 3, "error", rank_ == 2, "denied", "allowed")
| summarize calls = count(), firstSeen = min(t_), lastSeen = max(t_) by principal, kind, caller, operation, scope, outcome`

// The result columns Query reads, by name.
const (
	colPrincipal = "principal"
	colKind      = "kind"
	colCaller    = "caller"
	colOperation = "operation"
	colScope     = "scope"
	colOutcome   = "outcome"
	colCalls     = "calls"
	colFirst     = "firstSeen"
	colLast      = "lastSeen"
)

// KQL returns the query for the slice [from, to).
func KQL(from, to time.Time) string {
	return strings.NewReplacer("{FROM}", kqlTime(from), "{TO}", kqlTime(to)).Replace(kqlTemplate)
}

// kqlTime formats t as the inside of a KQL datetime literal: UTC, ISO 8601,
// to the tick (100 ns). Only digits and fixed punctuation come out.
func kqlTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}
