package usage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// SnapshotInfo describes one stored snapshot.
type SnapshotInfo struct {
	ID    int64
	Taken time.Time // UTC, to the microsecond
	Kind  string    // what made it: "report", "generate"
	Size  int64     // bytes of its body
}

// SaveSnapshot stores the body (JSON, valid UTF-8) of a report or generate
// run of the given kind, taken at the given time, and returns its id. Ids
// count up from 1 across kinds in the order snapshots are saved. Taken is
// stored in UTC to the microsecond.
//
// Saving is one statement; two processes cannot share a file store, but
// two goroutines saving at once into one store could draw the same id.
func (s *Store) SaveSnapshot(ctx context.Context, kind string, taken time.Time, body []byte) (int64, error) {
	if kind == "" {
		return 0, errors.New("saving snapshot: empty kind")
	}
	if !utf8.Valid(body) {
		return 0, fmt.Errorf("saving %s snapshot: body is not valid UTF-8", kind)
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO snapshots
		SELECT coalesce(max(id), 0) + 1, $1, $2, $3 FROM snapshots RETURNING id`,
		taken.UTC(), kind, string(body)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving %s snapshot in store %s: %w", kind, s.name(), err)
	}
	return id, nil
}

// Snapshot returns the snapshot with the given id and its body. An unknown
// id is an error that says which ids the store holds.
func (s *Store) Snapshot(ctx context.Context, id int64) (SnapshotInfo, []byte, error) {
	info := SnapshotInfo{ID: id}
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT taken_at, kind, body FROM snapshots WHERE id = $1`, id).
		Scan(&info.Taken, &info.Kind, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return SnapshotInfo{}, nil, s.noSnapshot(ctx, id)
	}
	if err != nil {
		return SnapshotInfo{}, nil, fmt.Errorf("reading snapshot %d of store %s: %w", id, s.name(), err)
	}
	info.Taken = info.Taken.UTC()
	info.Size = int64(len(body))
	return info, []byte(body), nil
}

// noSnapshot is the error for an unknown snapshot id.
func (s *Store) noSnapshot(ctx context.Context, id int64) error {
	var n, lo, hi int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM snapshots`).Scan(&n, &lo, &hi)
	switch {
	case err != nil:
		return fmt.Errorf("store %s has no snapshot %d", s.name(), id)
	case n == 0:
		return fmt.Errorf("store %s has no snapshot %d: it holds no snapshots yet", s.name(), id)
	case n == 1:
		return fmt.Errorf("store %s has no snapshot %d: it holds snapshot %d only", s.name(), id, lo)
	}
	return fmt.Errorf("store %s has no snapshot %d: it holds %d snapshots, ids %d to %d", s.name(), id, n, lo, hi)
}

// LatestSnapshot returns the most recently saved snapshot of a kind and its
// body; false when there is none.
func (s *Store) LatestSnapshot(ctx context.Context, kind string) (SnapshotInfo, []byte, bool, error) {
	var info SnapshotInfo
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT id, taken_at, kind, body FROM snapshots WHERE kind = $1 ORDER BY id DESC LIMIT 1`, kind).
		Scan(&info.ID, &info.Taken, &info.Kind, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return SnapshotInfo{}, nil, false, nil
	}
	if err != nil {
		return SnapshotInfo{}, nil, false, fmt.Errorf("reading the latest %s snapshot of store %s: %w", kind, s.name(), err)
	}
	info.Taken = info.Taken.UTC()
	info.Size = int64(len(body))
	return info, []byte(body), true, nil
}

// Snapshots lists the snapshots of a kind ("" for every kind), oldest
// (lowest id) first, without their bodies.
func (s *Store) Snapshots(ctx context.Context, kind string) ([]SnapshotInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, taken_at, kind, strlen(body) FROM snapshots
		WHERE $1 = '' OR kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of store %s: %w", s.name(), err)
	}
	defer rows.Close()
	var out []SnapshotInfo
	for rows.Next() {
		var info SnapshotInfo
		if err := rows.Scan(&info.ID, &info.Taken, &info.Kind, &info.Size); err != nil {
			return nil, fmt.Errorf("listing snapshots of store %s: %w", s.name(), err)
		}
		info.Taken = info.Taken.UTC()
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing snapshots of store %s: %w", s.name(), err)
	}
	return out, nil
}
