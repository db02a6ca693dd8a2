package forge

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// stubForge is a Forge answering from fields, for Publish's paths that the
// HTTP fakes do not reach.
type stubForge struct {
	finds     []*Request // one per Find, in order
	createErr error
	created   *Request
	calls     []string
}

func (s *stubForge) Find(context.Context, string) (*Request, error) {
	s.calls = append(s.calls, "find")
	if len(s.finds) == 0 {
		return nil, nil
	}
	r := s.finds[0]
	s.finds = s.finds[1:]
	return r, nil
}

func (s *stubForge) Create(context.Context, NewRequest) (*Request, error) {
	s.calls = append(s.calls, "create")
	return s.created, s.createErr
}

func (s *stubForge) Update(_ context.Context, n int, u UpdateRequest) (*Request, error) {
	s.calls = append(s.calls, "update")
	return &Request{Number: n, State: StateOpen, Title: u.Title}, nil
}

func TestPublishCreatedButLabelsFailed(t *testing.T) {
	labelErr := &Error{Forge: "github", Op: "labelling", Status: 403, kind: ErrAuth}
	s := &stubForge{created: &Request{Number: 3, State: StateOpen}, createErr: labelErr}
	got, outcome, err := Publish(context.Background(), s, ghNew, false)
	if got == nil || got.Number != 3 || outcome != Created || !errors.Is(err, ErrAuth) {
		t.Errorf("got %+v %s %v: want the created request with the label error", got, outcome, err)
	}
}

// ErrExists but the second look finds nothing open (closed in between):
// the error stands, nothing is updated.
func TestPublishExistsButGone(t *testing.T) {
	exists := &Error{Forge: "github", Op: "creating", Status: 422, kind: ErrExists}
	s := &stubForge{createErr: exists, finds: []*Request{nil, {Number: 5, State: StateClosed}}}
	_, _, err := Publish(context.Background(), s, ghNew, false)
	if !errors.Is(err, ErrExists) {
		t.Errorf("err %v, want ErrExists", err)
	}
	if !slices.Equal(s.calls, []string{"find", "create", "find"}) {
		t.Errorf("calls %v", s.calls)
	}
}

func TestPublishOtherCreateError(t *testing.T) {
	boom := errors.New("boom")
	s := &stubForge{createErr: boom}
	if _, _, err := Publish(context.Background(), s, ghNew, false); !errors.Is(err, boom) {
		t.Errorf("err %v", err)
	}
	if !slices.Equal(s.calls, []string{"find", "create"}) {
		t.Errorf("calls %v: only ErrExists looks again", s.calls)
	}
}
