// Package maprun reads what a Distributed Map's ResultWriter wrote for a
// Map Run, its manifest and result files, and totals it exactly: the Total
// the workflow ends with, every object of the run summed or named as
// failed, checked against the Map Run's own count of its items and its
// ToleratedFailurePercentage. It reads and writes through a job.Summer's
// Storage, and the job names its errors.
//
// manifest.go says what the ResultWriter writes, records.go how its result
// files are read, total.go what a total checks.
package maprun
