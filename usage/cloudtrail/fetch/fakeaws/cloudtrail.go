package fakeaws

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CloudTrail is a LookupEvents endpoint speaking the AWS JSON 1.1 protocol
// (POST /, X-Amz-Target: CloudTrail_20131101.LookupEvents). It returns the
// stored events whose time lies in [StartTime, EndTime], newest first, in
// pages of MaxResults with an opaque NextToken.
type CloudTrail struct {
	// Throttle makes the first Throttle calls fail with ThrottlingException.
	Throttle int
	// OnCall, when set, runs at the start of every call (before throttling),
	// with the call's number from 1.
	OnCall func(n int)

	mu     sync.Mutex
	events []Event
	calls  []Lookup
}

// Event is one stored CloudTrail event.
type Event struct {
	ID     string
	Time   time.Time
	Name   string
	Source string
	JSON   string // the CloudTrailEvent string
}

// Lookup is one LookupEvents call the fake saw.
type Lookup struct {
	At         time.Time // wall-clock arrival
	Start, End time.Time
	MaxResults int
	NextToken  string
	Throttled  bool
}

// NewCloudTrail returns a fake holding events.
func NewCloudTrail(events []Event) *CloudTrail {
	evs := append([]Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].Time.Equal(evs[j].Time) {
			return evs[i].Time.After(evs[j].Time)
		}
		return evs[i].ID < evs[j].ID
	})
	return &CloudTrail{events: evs}
}

// Calls returns the calls seen so far, in order.
func (c *CloudTrail) Calls() []Lookup {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Lookup(nil), c.calls...)
}

type lookupRequest struct {
	StartTime  *float64 `json:"StartTime"`
	EndTime    *float64 `json:"EndTime"`
	MaxResults int      `json:"MaxResults"`
	NextToken  string   `json:"NextToken"`
}

type lookupEvent struct {
	EventId         string  `json:"EventId"`
	EventName       string  `json:"EventName,omitempty"`
	EventSource     string  `json:"EventSource,omitempty"`
	EventTime       float64 `json:"EventTime"`
	CloudTrailEvent string  `json:"CloudTrailEvent"`
}

type lookupResponse struct {
	Events    []lookupEvent `json:"Events"`
	NextToken string        `json:"NextToken,omitempty"`
}

func (c *CloudTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "CloudTrail_20131101.LookupEvents" {
		jsonError(w, http.StatusBadRequest, "UnknownOperationException", "fake supports LookupEvents only")
		return
	}
	// Read the whole body before answering, as AWS does: a client still
	// sending it when the answer arrives may drop the connection.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	var req lookupRequest
	if err := json.Unmarshal(body, &req); err != nil {
		jsonError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	call := Lookup{At: time.Now(), MaxResults: req.MaxResults, NextToken: req.NextToken}
	if req.StartTime != nil {
		call.Start = epoch(*req.StartTime)
	}
	if req.EndTime != nil {
		call.End = epoch(*req.EndTime)
	}
	c.mu.Lock()
	n := len(c.calls) + 1
	call.Throttled = n <= c.Throttle
	c.calls = append(c.calls, call)
	onCall := c.OnCall
	c.mu.Unlock()
	if onCall != nil {
		onCall(n)
	}
	if call.Throttled {
		jsonError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	}
	max := req.MaxResults
	if max <= 0 || max > 50 {
		max = 50
	}
	var match []Event
	for _, e := range c.events {
		if (call.Start.IsZero() || !e.Time.Before(call.Start)) && (call.End.IsZero() || !e.Time.After(call.End)) {
			match = append(match, e)
		}
	}
	start := 0
	if req.NextToken != "" {
		rest, ok := strings.CutPrefix(req.NextToken, "page-")
		i, err := strconv.Atoi(rest)
		if !ok || err != nil || i < 0 || i > len(match) {
			jsonError(w, http.StatusBadRequest, "InvalidNextTokenException", "invalid token")
			return
		}
		start = i
	}
	end := min(start+max, len(match))
	res := lookupResponse{Events: []lookupEvent{}}
	for _, e := range match[start:end] {
		res.Events = append(res.Events, lookupEvent{
			EventId: e.ID, EventName: e.Name, EventSource: e.Source,
			EventTime: float64(e.Time.Unix()), CloudTrailEvent: e.JSON,
		})
	}
	if end < len(match) {
		res.NextToken = fmt.Sprintf("page-%d", end)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(res)
}

func epoch(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

func jsonError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
