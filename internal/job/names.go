package job

import (
	"fmt"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// MaxKeyBytes is the longest object key S3 allows, in bytes.
const MaxKeyBytes = 1024

// BucketName returns the name of the bucket s names: s is either the name
// itself or the bucket's ARN, arn:PARTITION:s3:::NAME, in any partition
// (aws, aws-cn, aws-us-gov, ...). The name must look like an S3 bucket
// name: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and
// ending with a letter or digit. Otherwise BucketName returns an
// *InvalidEventError saying what is wrong.
//
// Results name a bucket by the name BucketName returns, whichever form the
// event used.
func BucketName(s string) (string, error) {
	name := s
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		partition, rest, _ := strings.Cut(rest, ":")
		if !validPartition(partition) {
			return "", &InvalidEventError{Reason: fmt.Sprintf("bucket ARN %s: bad partition %s", excerpt.Quote(s), excerpt.Quote(partition))}
		}
		name, ok = strings.CutPrefix(rest, "s3:::")
		if !ok {
			return "", &InvalidEventError{Reason: fmt.Sprintf(
				"bucket ARN %s: want arn:%s:s3:::BUCKET (no region, account or access point)", excerpt.Quote(s), partition)}
		}
	}
	if reason := checkBucketName(name); reason != "" {
		return "", &InvalidEventError{Reason: fmt.Sprintf("bucket %s: %s", excerpt.Quote(s), reason)}
	}
	return name, nil
}

func validPartition(p string) bool {
	if p == "" {
		return false
	}
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkBucketName returns why name is not a bucket name, or "". The check
// is loose: S3 itself rejects the rarer bad names (IP addresses, "..").
func checkBucketName(name string) string {
	switch {
	case name == "":
		return "empty bucket name"
	case len(name) < 3 || len(name) > 63:
		return fmt.Sprintf("a bucket name has 3 to 63 characters, not %d", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && c != '.' && c != '-' {
			return fmt.Sprintf("%q at byte %d: a bucket name has only lowercase letters, digits, dots and hyphens", c, i)
		}
		if !alnum && (i == 0 || i == len(name)-1) {
			return "a bucket name begins and ends with a letter or digit"
		}
	}
	return ""
}

// check returns an *InvalidEventError if o cannot name an object the
// Summer may read, or else its bucket's name. An object with no bucket is a
// local file, of a Storage that has no buckets.
func (s *Summer) check(o Object) (string, error) {
	bucket := ""
	if o.Bucket != "" || s.Bucket != "" {
		var err error
		if bucket, err = BucketName(o.Bucket); err != nil {
			return "", err
		}
	}
	switch {
	case s.Bucket != "" && bucket != s.Bucket:
		return "", &InvalidEventError{Reason: fmt.Sprintf("bucket %s: this function reads only bucket %s", excerpt.Quote(bucket), excerpt.Quote(s.Bucket))}
	case o.Key == "":
		return "", &InvalidEventError{Reason: `missing or empty "key"`}
	case bucket != "" && len(o.Key) > MaxKeyBytes:
		return "", &InvalidEventError{Reason: fmt.Sprintf("key of %d bytes: S3 keys have at most %d", len(o.Key), MaxKeyBytes)}
	case o.Size != nil && *o.Size < 0:
		return "", &InvalidEventError{Reason: fmt.Sprintf(`"size" %d is negative`, *o.Size)}
	}
	return bucket, nil
}
