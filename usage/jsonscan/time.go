package jsonscan

import (
	"strings"
	"time"
)

// ParseTime parses an RFC 3339 time, as the logs pare reads write their
// timestamps, into UTC. It reports false for a bad time, the zero time and
// times before year 1. The common form, 2024-10-05T23:33:18.865983Z (any
// number of fraction digits, or none), is parsed without allocating; any
// other is left to time.Parse.
func ParseTime(b []byte) (time.Time, bool) {
	if t, ok := parseUTC(b); ok {
		if t.IsZero() {
			return time.Time{}, false
		}
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil || t.IsZero() || t.UTC().Year() < 1 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseUTC parses YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z with valid fields, and
// reports false for anything else, valid or not.
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' ||
		b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	min, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year < 1 || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		v, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for k := len(frac) - 1; k < 9; k++ {
			v *= 10
		}
		nsec = v
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
