//go:build !unix

package cloudtrail

import "time"

// cpuTime is unknown here: the cpu-ns/record metric reads 0.
func cpuTime() time.Duration { return 0 }
