package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// The mapping rules, applied in the order documented in doc.go.
var (
	//go:embed rules/pare/pare_rules.json
	pareRulesJSON []byte
	//go:embed rules/iam-dataset/cloudtrail_service_mappings.json
	iamDatasetJSON []byte
	//go:embed rules/trailscraper/trailscraper_mapping_rules.json
	trailscraperJSON []byte
)

type pareRules struct {
	Sources map[string]string `json:"sources"`
	Events  []struct {
		Source       string   `json:"source"`
		Name         string   `json:"name"`
		Actions      []string `json:"actions"`
		NoPermission bool     `json:"no_permission"`
		Reason       string   `json:"reason"`
	} `json:"events"`
	SkipTrailscraper []struct {
		Source string `json:"source"`
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"skip_trailscraper"`
}

type trailscraperRules struct {
	SourceOverrides map[string]string            `json:"event_source_to_iam_prefix_overrides"`
	NameOverrides   map[string]map[string]string `json:"event_name_overrides_by_source"`
	RegexRules      [][2]string                  `json:"event_name_regex_rules"`
	NoPermission    []string                     `json:"no_permission_events"`
}

// trailscraperRegexSkipped are trailscraper's regular-expression rules pare
// does not apply, with the reason. Any other regex rule must be a plain event
// name (a rename for every source), or loading fails so that a refresh of the
// data gets a look.
var trailscraperRegexSkipped = map[string]string{
	"([a-zA-Z]+)[0-9v_]+$": "too broad (strips any trailing digits or 'v'); pare strips only API-version dates, and only when the name as recorded is not an action",
	"Cors$":                "redundant: pare matches action names case-insensitively (GetBucketCors finds s3:GetBucketCORS)",
}

// loadRules decodes the embedded rule files into c.sources.
func (c *AWS) loadRules() error {
	var pare pareRules
	if err := json.Unmarshal(pareRulesJSON, &pare); err != nil {
		return fmt.Errorf("decoding pare_rules.json: %w", err)
	}
	var iamDataset map[string]string
	if err := json.Unmarshal(iamDatasetJSON, &iamDataset); err != nil {
		return fmt.Errorf("decoding cloudtrail_service_mappings.json: %w", err)
	}
	var ts trailscraperRules
	if err := json.Unmarshal(trailscraperJSON, &ts); err != nil {
		return fmt.Errorf("decoding trailscraper_mapping_rules.json: %w", err)
	}

	c.sources = map[string]*source{}
	// Prefixes: pare, then iam-dataset, then trailscraper; the first wins.
	for _, m := range []map[string]string{pare.Sources, iamDataset, ts.SourceOverrides} {
		for src, prefix := range m {
			if c.sources[src] == nil {
				c.sources[src] = &source{prefix: prefix, events: map[string]Mapping{}, lower: map[string]Mapping{}}
			}
		}
	}
	get := func(src string) (*source, error) {
		if s := c.sources[src]; s != nil {
			return s, nil
		}
		prefix, ok := strings.CutSuffix(src, ".amazonaws.com")
		if !ok || prefix == "" {
			return nil, fmt.Errorf("event source %q is not *.amazonaws.com", src)
		}
		s := &source{prefix: prefix, events: map[string]Mapping{}, lower: map[string]Mapping{}}
		c.sources[src] = s
		return s, nil
	}

	// Event rules: pare first; a later rule for the same event is ignored.
	for _, e := range pare.Events {
		s, err := get(e.Source)
		if err != nil {
			return fmt.Errorf("pare_rules.json: %w", err)
		}
		if _, dup := s.events[e.Name]; dup || e.Name == "" || e.Reason == "" {
			return fmt.Errorf("pare_rules.json: %s %q: duplicate, unnamed or without a reason", e.Source, e.Name)
		}
		var m Mapping
		switch {
		case e.NoPermission && len(e.Actions) == 0:
			m = Mapping{NoPermission: true, Reason: e.Reason}
		case !e.NoPermission && len(e.Actions) > 0:
			m = c.resolve(e.Actions)
		default:
			return fmt.Errorf("pare_rules.json: %s %q: needs either actions or no_permission", e.Source, e.Name)
		}
		s.events[e.Name] = m
	}

	skipped := map[string]bool{}
	for _, sk := range pare.SkipTrailscraper {
		if _, ok := ts.NameOverrides[sk.Source][sk.Name]; !ok {
			return fmt.Errorf("pare_rules.json: skip_trailscraper %s %q: no such trailscraper rule", sk.Source, sk.Name)
		}
		skipped[sk.Source+" "+sk.Name] = true
	}
	for _, src := range slices.Sorted(maps.Keys(ts.NameOverrides)) {
		s, err := get(src)
		if err != nil {
			return fmt.Errorf("trailscraper_mapping_rules.json: %w", err)
		}
		for _, name := range slices.Sorted(maps.Keys(ts.NameOverrides[src])) {
			if _, done := s.events[name]; done || skipped[src+" "+name] {
				continue
			}
			s.events[name] = c.resolve([]string{s.prefix + ":" + ts.NameOverrides[src][name]})
		}
	}
	for _, ev := range ts.NoPermission {
		src, name, ok := strings.Cut(ev, ":")
		if !ok {
			return fmt.Errorf("trailscraper_mapping_rules.json: bad no_permission_events entry %q", ev)
		}
		s, err := get(src)
		if err != nil {
			return fmt.Errorf("trailscraper_mapping_rules.json: %w", err)
		}
		if _, done := s.events[name]; !done {
			s.events[name] = Mapping{NoPermission: true, Reason: "listed as needing no permission by trailscraper"}
		}
	}
	for _, r := range ts.RegexRules {
		if _, ok := trailscraperRegexSkipped[r[0]]; ok {
			continue
		}
		if strings.ContainsAny(r[0], `^$.*+?()[]{}|\`) || strings.ContainsAny(r[1], `\$`) {
			return fmt.Errorf("trailscraper_mapping_rules.json: regex rule %q is neither a plain name nor known to pare", r[0])
		}
		// A plain name: a rename for every source that has no rule for it.
		for _, src := range slices.Sorted(maps.Keys(c.sources)) {
			s := c.sources[src]
			if _, done := s.events[r[0]]; !done && c.services[s.prefix] != nil && c.action(s.prefix+":"+r[1]) != nil {
				s.events[r[0]] = c.resolve([]string{s.prefix + ":" + r[1]})
			}
		}
	}

	for _, s := range c.sources {
		for _, name := range slices.Sorted(maps.Keys(s.events)) {
			if _, dup := s.lower[strings.ToLower(name)]; !dup {
				s.lower[strings.ToLower(name)] = s.events[name]
			}
		}
	}
	return nil
}

// resolve turns rule actions into a Mapping: canonical spellings, sorted and
// without duplicates, or a Reason naming the first action the catalog lacks.
func (c *AWS) resolve(names []string) Mapping {
	out := make([]string, 0, len(names))
	for _, n := range names {
		a := c.action(n)
		if a == nil {
			return Mapping{Reason: fmt.Sprintf("%q is not in the AWS catalog", n)}
		}
		out = append(out, a.info.Name)
	}
	sort.Strings(out)
	j := 0
	for i, n := range out {
		if i == 0 || n != out[j-1] {
			out[j] = n
			j++
		}
	}
	return Mapping{Actions: out[:j:j]}
}
