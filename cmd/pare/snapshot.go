package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/synth/report"
)

// snapshotPrefix marks a snapshot body: the report, slimmed to what a later
// comparison needs, as JSON, gzipped and base64-encoded (the body column is
// text). A report over 10,000 principals holding 1,000 entitlements each is
// 2 GB of full JSON; slimmed and compressed it is a few tens of MB.
const snapshotPrefix = "pare-snapshot/v1;gzip;base64,"

// encodeSnapshot slims r to what Diff and Trend read (each item's action,
// resource, status and risks; each principal's counts and score; the
// roll-ups and trend) and encodes it.
func encodeSnapshot(r report.Report) ([]byte, error) {
	slim := r
	slim.Principals = make([]report.Principal, len(r.Principals))
	for i, p := range r.Principals {
		p.Policy, p.PolicyFormat = "", ""
		items := make([]report.Item, len(p.Items))
		for j, it := range p.Items {
			items[j] = report.Item{Action: it.Action, Resource: it.Resource, Status: it.Status, Risks: it.Risks}
		}
		p.Items = items
		slim.Principals[i] = p
	}
	var buf bytes.Buffer
	buf.WriteString(snapshotPrefix)
	b64 := base64.NewEncoder(base64.StdEncoding, &buf)
	zw, err := gzip.NewWriterLevel(b64, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(slim); err != nil {
		return nil, fmt.Errorf("encoding the snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := b64.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeSnapshot reads a body encodeSnapshot wrote.
func decodeSnapshot(body []byte) (report.Report, error) {
	var r report.Report
	rest, ok := strings.CutPrefix(string(body), snapshotPrefix)
	if !ok {
		return r, fmt.Errorf("not a pare report snapshot (it does not start with %q)", snapshotPrefix)
	}
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(rest)))
	if err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	dec := json.NewDecoder(zr)
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	return r, nil
}
