package gitwork

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkChange writes 1,000 policy files onto a base (half of them new)
// and commits the result: the cost of one `pare pr` batch on the git side.
func BenchmarkChange(b *testing.B) {
	ctx := context.Background()
	fx := newFixture(b)
	repo, err := Open(fx.user)
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for i := range 1000 {
		files[fmt.Sprintf("iam/role-%04d.tf", i)] = []byte(fmt.Sprintf("resource \"aws_iam_policy\" \"r%d\" {}\n", i))
	}
	for b.Loop() {
		c, err := repo.Change(ctx, fx.base, files, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Commit(ctx, "pare/bench", "bench", testAuthor); err != nil {
			b.Fatal(err)
		}
	}
}
