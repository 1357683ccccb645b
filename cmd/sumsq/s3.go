package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3read"
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

// newS3Client returns an S3 client configured as the SDK configures itself
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3, ...), with path-style
// addressing if s3read.PathStyleEnv says so.
func newS3Client(ctx context.Context) (*s3.Client, error) {
	pathStyle := false
	if v := os.Getenv(s3read.PathStyleEnv); v != "" {
		var err error
		if pathStyle, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("%s=%q: want true or false", s3read.PathStyleEnv, v)
		}
	}
	cfg, err := loadAWSConfig(ctx, "")
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		// Listing and reading work from the global endpoint's region for
		// buckets there; other buckets need AWS_REGION, as S3 then says.
		cfg.Region = "us-east-1"
	}
	if err := checkCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, s3read.ClientOptions(pathStyle)), nil
}

// s3Objects lists the objects under an s3://bucket/prefix target, in key
// order, one page of at most 1,000 keys at a time, as the state machine's
// ItemReader does. They are summed by job.Summer, as the Lambda sums them:
// an empty object or a key ending in "/" counts as an object without
// numbers and is not read.
//
// If the client cannot be made or listing fails, the run stops: the objects
// under the prefix are unknown, as they are to a workflow whose ItemReader
// fails.
func (r *runner) s3Objects(ctx context.Context, target string) iter.Seq[object] {
	return func(yield func(object) bool) {
		stop := func(err error) { yield(object{name: target, err: err, stop: true}) }
		bucket, prefix, err := parseS3URL(target)
		if err != nil {
			stop(err)
			return
		}
		if r.summer == nil {
			client, err := newS3Client(ctx)
			if err != nil {
				stop(err)
				return
			}
			r.s3, r.summer = client, &job.Summer{S3: client, MaxDigits: r.maxDigits}
		}
		pages := s3.NewListObjectsV2Paginator(r.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				stop(fmt.Errorf("listing %s: %w", target, err))
				return
			}
			for _, o := range page.Contents {
				if !yield(r.s3Object(bucket, aws.ToString(o.Key), aws.ToInt64(o.Size))) {
					return
				}
			}
		}
	}
}

// s3Object returns the object for key in bucket, of the given size.
func (r *runner) s3Object(bucket, key string, size int64) object {
	return object{
		name:   "s3://" + bucket + "/" + key,
		bucket: bucket,
		key:    key,
		size:   size,
		sum: func(ctx context.Context) (job.ObjectResult, error) {
			res, err := r.summer.Object(ctx, job.Object{Bucket: bucket, Key: key, Size: &size})
			r.progress.addBytes(size)
			return res, err
		},
	}
}
