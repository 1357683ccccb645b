package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
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

// An s3Runner lists and sums S3 objects.
type s3Runner struct {
	client *s3.Client
	summer *job.Summer
}

// newS3Runner makes an S3 client configured as the SDK configures itself
// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3, ...) and as -profile,
// -region and -endpoint-url say, with path-style
// addressing if s3store.PathStyleEnv says so, and connections for -c
// objects at once.
func (r *runner) newS3Runner(ctx context.Context) (*s3Runner, error) {
	pathStyle := false
	if v := os.Getenv(s3store.PathStyleEnv); v != "" {
		var err error
		if pathStyle, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("%s=%q: want true or false", s3store.PathStyleEnv, v)
		}
	}
	cfg, err := loadAWSConfig(ctx, r.aws)
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
	client := s3.NewFromConfig(cfg, s3store.ClientOptions(pathStyle, r.concurrency), func(o *s3.Options) {
		o.BaseEndpoint = cmp.Or(r.aws.baseEndpoint(), o.BaseEndpoint)
	})
	return &s3Runner{client: client, summer: r.newSummer(s3store.New(client))}, nil
}

// s3Objects lists the objects under an s3://bucket/prefix target, in key
// order, one page of at most 1,000 keys at a time, as the state machine's
// ItemReader does. They are summed by job.Summer, as the Lambda sums them:
// an empty object or a key ending in "/" counts as an object without
// numbers and is not read. Keys under r.resultsPrefix are counted in
// r.skipped and not yielded, as a batch of the workflow skips them.
//
// If the client cannot be made or listing fails, the run stops: the objects
// under the prefix are unknown, as they are to a workflow whose ItemReader
// fails.
func (r *runner) s3Objects(ctx context.Context, target string) iter.Seq[object] {
	return func(yield func(object) bool) {
		stop := func(err error) { yield(object{err: err, stop: true}) }
		bucket, prefix, err := parseS3URL(target)
		if err != nil {
			stop(err)
			return
		}
		if r.s3 == nil {
			if r.s3, err = r.newS3Runner(ctx); err != nil {
				stop(err)
				return
			}
		}
		n := 0
		for item, err := range s3store.List(ctx, r.s3.client, bucket, prefix) {
			if err != nil {
				stop(fmt.Errorf("listing %s: %w", target, err))
				return
			}
			n++
			if r.resultsPrefix != "" && strings.HasPrefix(item.Key, r.resultsPrefix) {
				r.skipped++
				continue
			}
			o := object{bucket: bucket, key: item.Key, size: item.Size}
			o.sum = summer(r.s3.summer, bucket, item.Key, item.Size)
			if !yield(o) {
				return
			}
		}
		if n == 0 {
			r.empty = append(r.empty, target) // as "aws s3 ls" fails, listing nothing
		}
	}
}
