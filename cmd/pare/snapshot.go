package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	gojson "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"

	"github.com/leastpriv/pare/synth/report"
)

// snapshotPrefix marks a snapshot body: the report, slimmed to what a later
// comparison needs, as JSON, gzipped and base64-encoded (the body column is
// text). A report over 10,000 principals holding 1,000 entitlements each is
// 2.7 GB of full JSON; slimmed and compressed it is 115 MB (measured).
const snapshotPrefix = "pare-snapshot/v1;gzip;base64,"

// encodeSnapshot slims r to what Diff and Trend read (each item's action,
// resource, status and risks; each principal's counts and score; the
// roll-ups and trend) and encodes it, one principal at a time so that the
// JSON of a large report is never whole in memory.
func encodeSnapshot(r report.Report) ([]byte, error) {
	// The report with one placeholder principal, split around it: the
	// principals are written in its place.
	placeholder := report.Principal{Provider: "\x00pare-placeholder"}
	head := r
	head.Principals = []report.Principal{placeholder}
	frame, err := json.Marshal(head)
	if err != nil {
		return nil, fmt.Errorf("encoding the snapshot: %w", err)
	}
	hole, err := json.Marshal(placeholder)
	if err != nil {
		return nil, fmt.Errorf("encoding the snapshot: %w", err)
	}
	at := bytes.Index(frame, hole)
	if at < 0 {
		return nil, fmt.Errorf("internal error: encoding the snapshot: no principals field")
	}

	var buf bytes.Buffer
	buf.WriteString(snapshotPrefix)
	b64 := base64.NewEncoder(base64.StdEncoding, &buf)
	zw, err := gzip.NewWriterLevel(b64, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	zw.Write(frame[:at])
	var items []report.Item
	for i, p := range r.Principals {
		p.Policy, p.PolicyFormat = "", ""
		items = items[:0]
		for _, it := range p.Items {
			items = append(items, report.Item{Action: it.Action, Resource: it.Resource, Status: it.Status, Risks: it.Risks})
		}
		p.Items = items
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encoding the snapshot: %w", err)
		}
		if i > 0 {
			zw.Write([]byte{','})
		}
		zw.Write(b)
	}
	zw.Write(frame[at+len(hole):])
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := b64.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeSnapshot reads a body encodeSnapshot wrote, one principal at a time.
func decodeSnapshot(body []byte) (report.Report, error) {
	var r report.Report
	rest, ok := bytes.CutPrefix(body, []byte(snapshotPrefix))
	if !ok {
		return r, fmt.Errorf("not a pare report snapshot (it does not start with %q)", snapshotPrefix)
	}
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(rest)))
	if err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	if err := decodeReport(gojson.NewDecoder(zr), &r); err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return r, fmt.Errorf("reading the snapshot: %w", err)
	}
	return r, nil
}

// decodeReport decodes a report object, its principals one by one and the
// other fields whole.
// It uses goccy/go-json, which decodes the principals of a large snapshot
// in half the time encoding/json takes.
func decodeReport(dec *gojson.Decoder, r *report.Report) error {
	if t, err := dec.Token(); err != nil || t != gojson.Delim('{') {
		return fmt.Errorf("want a JSON object (%v)", err)
	}
	var rest bytes.Buffer
	rest.WriteByte('{')
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if key != "principals" {
			var v gojson.RawMessage
			if err := dec.Decode(&v); err != nil {
				return err
			}
			if rest.Len() > 1 {
				rest.WriteByte(',')
			}
			k, _ := json.Marshal(key)
			rest.Write(k)
			rest.WriteByte(':')
			rest.Write(v)
			continue
		}
		if t, err := dec.Token(); err != nil || t != gojson.Delim('[') {
			return fmt.Errorf("principals: want an array (%v)", err)
		}
		for dec.More() {
			var p report.Principal
			if err := dec.Decode(&p); err != nil {
				return err
			}
			r.Principals = append(r.Principals, p)
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	rest.WriteByte('}')
	principals := r.Principals
	if err := json.Unmarshal(rest.Bytes(), r); err != nil {
		return err
	}
	r.Principals = principals
	return nil
}
