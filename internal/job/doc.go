// Package job is the sum-of-squares job over stored objects: its event and
// result types (the JSON the function and the CLI speak), its error types
// (the names Step Functions matches), the Storage it reads through, and the
// operations the Lambda and the CLI share: summing one object, a batch of
// objects (which sets aside what it cannot finish, see Deferred), a range
// of an object set aside (Summer.Range), and the total over a Map run.
//
// The job speaks of buckets and keys; a Storage says what names it can
// hold and how people write them (Names), and reports its failures as
// kinds (ErrNotFound, ...), which the job alone turns into the contract's
// errors (Summer.Classify).
package job
