package main

import (
	"context"
	"errors"
	"iter"
	"strings"
)

// parseS3URL splits s3://bucket/prefix into its bucket and prefix.
func parseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", errors.New("not an s3:// URL: " + u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", errors.New("no bucket in " + u)
	}
	return bucket, prefix, nil
}

// s3Source lists and sums S3 objects.
type s3Source struct{}

func (r *runner) s3Objects(ctx context.Context, target string) iter.Seq[object] {
	return func(yield func(object) bool) {
		yield(object{name: target, err: errors.New("s3:// targets are not supported yet")})
	}
}
