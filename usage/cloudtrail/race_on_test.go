//go:build race

package cloudtrail

// raceEnabled is true when tests run under the race detector, which
// allocates on its own and so changes allocation counts.
const raceEnabled = true
