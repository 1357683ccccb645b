// Package inventory reads and writes Amazon S3 Inventory reports: the
// lists of a bucket's objects that S3 delivers daily or weekly, which a
// run may sum instead of listing the bucket. It reads through the job's
// [job.Storage], so the same code reads a report in S3, a copy of one on
// local disk, and one held in memory by a test; it has no AWS dependency.
//
// # What a report is
//
// AWS documents the format in
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory.html
// (what a report lists) and
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html
// (where S3 puts it, and the manifest). S3 delivers a report to a
// destination bucket as a manifest,
//
//	destination-prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json
//
// a JSON object that names the source bucket, the destination bucket (as
// an ARN), the format of the data files (CSV, ORC or Parquet), their
// columns (fileSchema, "Bucket, Key, Size, ..."), and the data files
// themselves, each with its key in the destination bucket, its size and
// the MD5 of its bytes:
//
//	{"sourceBucket": "example-source",
//	 "destinationBucket": "arn:aws:s3:::example-destination",
//	 "version": "2016-11-30", "creationTimestamp": "1514944800000",
//	 "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size",
//	 "files": [{"key": "destination-prefix/example-source/config-ID/data/<uuid>.csv.gz",
//	            "size": 1024, "MD5checksum": "<32 hexadecimal digits>"}]}
//
// A CSV data file is gzipped, has no header row, and has one row per
// object (or object version), its fields quoted, in the order fileSchema
// names them. The Key field is URL-encoded (see package urlkey).
//
// # Reading
//
// A [Destination] is where a report is: a bucket of the Storage, or, for
// local files, a folder holding a copy of the destination bucket.
// [Destination.Open] reads a manifest and checks it; [Report.Rows] then
// yields the rows of its data files in the manifest's order, streaming,
// in memory that does not grow with the report. Each data file's size and
// MD5 are checked as it is read. Columns other than Bucket, Key, Size,
// VersionId, IsLatest and IsDeleteMarker are read and ignored.
//
// A report that lists all versions has rows that are not objects a
// listing would return: older versions and delete markers. [Row.Current]
// tells them apart.
//
// A Report is a [job.Lister]: [Report.List] yields its current rows as the
// job's items, in the report's order, so that a run sums a report as it
// sums a listing. [Destination.Detect] tells a manifest from another
// object of the same name (a Map Run's manifest.json, a file of numbers),
// for a caller that takes either. A manifest read from local files is
// found wherever the copy of its bucket is (see Destination.Root).
//
// # Errors
//
// A manifest or data file that is not what S3 writes is an *[Error] that
// names it (and, in a data file, the line) and wraps [ErrManifest],
// [ErrFormat] or [ErrData]. An error of the Storage (a missing object,
// access denied, S3 unavailable, the context's end) is returned wrapped
// with %w, so that the caller can classify it with errors.As.
//
// # Writing
//
// [Writer] writes a report as S3 writes one, for tests: gzipped CSV data
// files of a given number of rows, then manifest.json and
// manifest.checksum, with the columns of an inventory configured with the
// optional field Size (and, for all versions, the versioning columns).
//
// # Not supported
//
// ORC and Parquet reports (their manifests are refused with [ErrFormat]);
// the Apache Hive symlink.txt manifest; manifest.checksum is written but
// not read (a truncated or altered manifest.json is seldom valid JSON, and
// each data file is checked against it); reports encrypted with a key the
// Storage cannot use are its errors, not this package's.
package inventory
