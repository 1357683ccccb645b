// Package s3store is the job's Storage over Amazon S3 (and S3-compatible
// servers): it opens objects for reading, whole or in ranges, every GET of
// one object pinned to the same version (its ETag), resumes a body that
// breaks off from where it stopped, writes objects of any length, streamed
// (a multipart upload of unknown size, by the SDK's transfer manager), and
// lists prefixes for the CLI. It reports S3's errors as the job's kinds
// of failure (job.ErrNotFound, ...), by one table (errors.go), and S3's
// rules for names (names.go): bucket names and ARNs, key lengths, s3://
// URLs.
package s3store
