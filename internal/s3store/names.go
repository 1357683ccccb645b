package s3store

import (
	"errors"
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
// ending with a letter or digit. Otherwise the error says what is wrong.
//
// Results name a bucket by the name BucketName returns, whichever form the
// event used.
func BucketName(s string) (string, error) {
	name := s
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		partition, rest, _ := strings.Cut(rest, ":")
		if !validPartition(partition) {
			return "", fmt.Errorf("bucket ARN %s: bad partition %s", excerpt.Quote(s), excerpt.Quote(partition))
		}
		name, ok = strings.CutPrefix(rest, "s3:::")
		if !ok {
			return "", fmt.Errorf("bucket ARN %s: want arn:%s:s3:::BUCKET (no region, account or access point)", excerpt.Quote(s), partition)
		}
	}
	if reason := checkBucketName(name); reason != "" {
		return "", fmt.Errorf("bucket %s: %s", excerpt.Quote(s), reason)
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

// Location returns the s3:// URL of the object key in bucket: how the AWS
// CLI and the console write it.
func Location(bucket, key string) string { return "s3://" + bucket + "/" + key }

// Bucket returns the name of the bucket s names (see BucketName).
func (s *Store) Bucket(name string) (string, error) { return BucketName(name) }

// CheckKey refuses a key longer than S3 allows (MaxKeyBytes).
func (s *Store) CheckKey(key string) error {
	if len(key) > MaxKeyBytes {
		return fmt.Errorf("key of %d bytes: S3 keys have at most %d", len(key), MaxKeyBytes)
	}
	return nil
}

// Location returns the s3:// URL of the object (see Location).
func (s *Store) Location(bucket, key string) string { return Location(bucket, key) }

// errNoName is what a request that names no object gets, before it is
// made: the SDK reports an empty bucket or key as an error of its own,
// which is not S3's.
var errNoName = errors.New("an S3 object needs a bucket and a key")
