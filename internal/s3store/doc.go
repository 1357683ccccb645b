// Package s3store is the job's Storage over Amazon S3 (and S3-compatible
// servers): it opens objects for reading, whole or in ranges, every GET of
// one object pinned to the same version (its ETag), resumes a body that
// breaks off from where it stopped, writes the Total's list of failures,
// and lists prefixes for the CLI. It turns S3's errors into the job's error
// types, by one table (errors.go).
package s3store
