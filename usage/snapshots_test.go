package usage

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSnapshotsMemory(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)

	if _, _, err := s.Snapshot(ctx, 1); err == nil || !strings.Contains(err.Error(), "no snapshot 1: it holds no snapshots yet") {
		t.Errorf("Snapshot(1) of an empty store: %v", err)
	}
	if _, _, ok, err := s.LatestSnapshot(ctx, "report"); ok || err != nil {
		t.Errorf("LatestSnapshot of an empty store: %v %v", ok, err)
	}
	if list, err := s.Snapshots(ctx, ""); len(list) != 0 || err != nil {
		t.Errorf("Snapshots of an empty store: %v %v", list, err)
	}

	// A time in another zone with nanoseconds comes back in UTC to the
	// microsecond.
	zone := time.FixedZone("CEST", 2*3600)
	t1 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, zone)
	t2 := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	t3 := time.Date(2026, 3, 3, 2, 0, 0, 0, time.UTC)
	bodies := [][]byte{
		[]byte(`{"principals":[{"principal":"<script>alert('x')</script> \"q\" \\ ü 日本"}]}`),
		[]byte(`{"policies":[]}`),
		[]byte(`{"principals":[]}`),
	}
	saves := []struct {
		kind  string
		taken time.Time
	}{{"report", t1}, {"generate", t2}, {"report", t3}}
	for i, sv := range saves {
		id, err := s.SaveSnapshot(ctx, sv.kind, sv.taken, bodies[i])
		if err != nil {
			t.Fatal(err)
		}
		if id != int64(i+1) {
			t.Errorf("snapshot %d saved with id %d", i+1, id)
		}
	}

	info, body, err := s.Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := SnapshotInfo{ID: 1, Taken: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC), Kind: "report", Size: int64(len(bodies[0]))}
	if info != want || !bytes.Equal(body, bodies[0]) {
		t.Errorf("Snapshot(1) = %+v %s, want %+v %s", info, body, want, bodies[0])
	}
	if info.Taken.Location() != time.UTC {
		t.Errorf("taken in %v, want UTC", info.Taken.Location())
	}

	info, body, ok, err := s.LatestSnapshot(ctx, "report")
	if err != nil || !ok || info.ID != 3 || !info.Taken.Equal(t3) || string(body) != string(bodies[2]) {
		t.Errorf("LatestSnapshot(report) = %+v %s %v %v", info, body, ok, err)
	}
	if _, _, ok, err := s.LatestSnapshot(ctx, "other"); ok || err != nil {
		t.Errorf("LatestSnapshot(other) = %v %v", ok, err)
	}

	reports, err := s.Snapshots(ctx, "report")
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 || reports[0].ID != 1 || reports[1].ID != 3 || reports[1].Size != int64(len(bodies[2])) {
		t.Errorf("Snapshots(report) = %+v", reports)
	}
	all, err := s.Snapshots(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, x := range all {
		ids = append(ids, x.ID)
	}
	if !reflect.DeepEqual(ids, []int64{1, 2, 3}) || all[1].Kind != "generate" {
		t.Errorf("Snapshots() = %+v", all)
	}

	for _, id := range []int64{0, 4, -1} {
		_, _, err := s.Snapshot(ctx, id)
		if err == nil || !strings.Contains(err.Error(), "it holds 3 snapshots, ids 1 to 3") || !strings.Contains(err.Error(), "(in memory)") {
			t.Errorf("Snapshot(%d): %v", id, err)
		}
	}
}

func TestSnapshotBadInput(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	if _, err := s.SaveSnapshot(ctx, "", time.Time{}, []byte("{}")); err == nil {
		t.Error("saved a snapshot without a kind")
	}
	if _, err := s.SaveSnapshot(ctx, "report", time.Time{}, []byte("{\"x\":\"\xff\"}")); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if list, _ := s.Snapshots(ctx, ""); len(list) != 0 {
		t.Errorf("a refused snapshot was stored: %+v", list)
	}
	id, err := s.SaveSnapshot(ctx, "report", time.Time{}, []byte("{}"))
	if err != nil || id != 1 {
		t.Errorf("first snapshot after refused ones: %d %v", id, err)
	}
	_, _, err = s.Snapshot(ctx, 2)
	if err == nil || !strings.Contains(err.Error(), "it holds snapshot 1 only") {
		t.Errorf("Snapshot(2): %v", err)
	}
}

// TestSnapshotsFile checks snapshots outlive the process: saved, closed,
// reopened, and numbered on from where they were.
func TestSnapshotsFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pare.duckdb")
	big := bytes.Repeat([]byte(`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/*","status":"unused"},`), 40000) // about 3 MB
	body := append(append([]byte(`[`), big...), []byte(`{}]`)...)
	taken := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

	s, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.SaveSnapshot(ctx, "report", taken.Add(time.Duration(i)*time.Hour), body); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, got, ok, err := s.LatestSnapshot(ctx, "report")
	if err != nil || !ok || info.ID != 2 || !info.Taken.Equal(taken.Add(time.Hour)) || !bytes.Equal(got, body) {
		t.Fatalf("after reopening: %+v (%d bytes) %v %v", info, len(got), ok, err)
	}
	id, err := s.SaveSnapshot(ctx, "report", taken.Add(2*time.Hour), []byte(`{}`))
	if err != nil || id != 3 {
		t.Errorf("saving after reopening: id %d, %v; want 3", id, err)
	}
	list, err := s.Snapshots(ctx, "report")
	if err != nil || len(list) != 3 || list[0].Size != int64(len(body)) || list[2].Size != 2 {
		t.Errorf("Snapshots after reopening: %+v %v", list, err)
	}
	if _, _, err := s.Snapshot(ctx, 9); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("unknown id in a file store: %v", err)
	}
}
