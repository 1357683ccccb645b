// Package job is the sum-of-squares job over S3 objects: its event and result
// types (the JSON the function and the CLI speak), its error types (the names
// Step Functions matches) and the operations the Lambda and the CLI share:
// summing one object, a batch of objects, and the total over a Map run.
package job
