package job_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
)

// TestShares checks the rule that gives the objects of a batch their
// shares of the time left (share.go), one evaluation at a time.
func TestShares(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name    string
		left    time.Duration
		slots   int
		waiting int
		reading []job.Reading
		want    []bool // stopped
	}{
		{"nobody waits: on to the deadline", 10 * s, 4, 0,
			[]job.Reading{{Elapsed: 50 * s, Read: 1, Size: 1 << 30}}, []bool{false}},
		{"within its share", 40 * s, 4, 19, // share: 40 s × 4 / 20 = 8 s
			[]job.Reading{{Elapsed: 7 * s, Read: 1, Size: 100}}, []bool{false}},
		{"past its share, far from done", 40 * s, 4, 19,
			[]job.Reading{{Elapsed: 9 * s, Read: 1, Size: 100}}, []bool{true}},
		{"past its share, done within another", 40 * s, 4, 19,
			[]job.Reading{{Elapsed: 9 * s, Read: 60, Size: 100}}, []bool{false}}, // 6 s left
		{"past its share, nothing read", 40 * s, 4, 19,
			[]job.Reading{{Elapsed: 9 * s, Read: 0, Size: 100}}, []bool{true}},
		{"past its share, size unknown", 40 * s, 4, 19,
			[]job.Reading{{Elapsed: 9 * s, Read: 50, Size: -1}}, []bool{true}},
		{"never less than a second", 1 * s, 1, 1000,
			[]job.Reading{{Elapsed: 900 * time.Millisecond, Size: 100}, {Elapsed: 1100 * time.Millisecond, Size: 100}},
			[]bool{false, true}},
		{"shares grow as objects finish", 40 * s, 4, 1, // share: 40 s × 4 / 5 = 32 s
			[]job.Reading{{Elapsed: 30 * s, Read: 1, Size: 100}, {Elapsed: 33 * s, Read: 1, Size: 100},
				{Elapsed: 1 * s, Read: 1, Size: 100}, {Elapsed: 0, Size: 100}},
			[]bool{false, true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := job.Stopped(tt.left, tt.slots, tt.waiting, tt.reading)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Stopped(%v left, %d slots, %d waiting, %+v) = %v; want %v", tt.left, tt.slots, tt.waiting, tt.reading, got, tt.want)
			}
		})
	}
}
