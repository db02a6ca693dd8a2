package usage

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/leastpriv/pare/usage/record"
)

// ReplaceGrants stores grants as what source (a file or API snapshot, by
// name) grants today, replacing whatever the same source recorded before,
// in one transaction: a reader sees the old snapshot or the new one.
func (s *Store) ReplaceGrants(ctx context.Context, provider, source string, grants []record.Grant) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to store: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting transaction: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE source_id IN (SELECT id FROM sources WHERE provider = $1 AND name = $2)`, provider, source); err != nil {
		return fmt.Errorf("replacing grants of %s: %w", source, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE provider = $1 AND name = $2`, provider, source); err != nil {
		return fmt.Errorf("replacing grants of %s: %w", source, err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM sources`).Scan(&id); err != nil {
		return fmt.Errorf("reading sources: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources VALUES ($1, $2, 0, '', $3, $4, $5, 0, '{}', 0)`,
		id, source, provider, s.now().UTC(), len(grants)); err != nil {
		return fmt.Errorf("recording source %s: %w", source, err)
	}
	err = rawConn(conn, func(dc driver.Conn) error {
		app, err := duckdb.NewAppender(dc, "", "", "grants")
		if err != nil {
			return err
		}
		for _, g := range grants {
			if err := app.AppendRow(g.Provider, g.Principal, g.Effect, g.Action, g.Data, g.Resource, g.Scope, g.Origin, id); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return fmt.Errorf("storing grants of %s: %w", source, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing grants of %s: %w", source, err)
	}
	return nil
}

// Grants returns the stored grants of a provider, sorted.
func (s *Store) Grants(ctx context.Context, provider string) ([]record.Grant, error) {
	return s.grants(ctx, provider, "ORDER BY principal, scope, effect, data, action, resource, origin")
}

// GrantsUnsorted returns the stored grants of a provider in no particular
// order, for callers that group them anyway: sorting ten million rows
// costs DuckDB seconds.
func (s *Store) GrantsUnsorted(ctx context.Context, provider string) ([]record.Grant, error) {
	return s.grants(ctx, provider, "")
}

func (s *Store) grants(ctx context.Context, provider, order string) ([]record.Grant, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, principal, effect, action, data, resource, scope, origin
		FROM grants WHERE provider = $1 `+order, provider)
	if err != nil {
		return nil, fmt.Errorf("querying grants: %w", err)
	}
	defer rows.Close()
	var out []record.Grant
	for rows.Next() {
		var g record.Grant
		if err := rows.Scan(&g.Provider, &g.Principal, &g.Effect, &g.Action, &g.Data, &g.Resource, &g.Scope, &g.Origin); err != nil {
			return nil, fmt.Errorf("reading grants: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// HasGrants reports whether any grant of provider is stored.
func (s *Store) HasGrants(ctx context.Context, provider string) (bool, error) {
	var ok bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM grants WHERE provider = $1)`, provider).Scan(&ok); err != nil {
		return false, fmt.Errorf("querying grants: %w", err)
	}
	return ok, nil
}
