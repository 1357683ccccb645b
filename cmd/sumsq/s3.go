package main

import (
	"context"

	"github.com/sumsq/sumsq/internal/s3store"
)

// s3Store returns the backend of s3:// targets: S3 reached as the SDK
// configures itself (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3, ...) and
// as -profile, -region and -endpoint-url say, through the client the
// function uses too (s3store.NewClient: S3_FORCE_PATH_STYLE, connections
// for -c objects at once). Objects are summed by job.Summer, as the Lambda
// sums them, and listed a page of at most 1,000 keys at a time, as the
// state machine's ItemReader lists them.
func (r *runner) s3Store(ctx context.Context) (store, error) {
	cfg, err := loadAWSConfig(ctx, r.aws)
	if err != nil {
		return nil, err
	}
	client, err := s3store.NewClient(cfg, s3store.ClientConfig{Endpoint: r.aws.endpointURL, Connections: r.concurrency})
	if err != nil {
		return nil, err
	}
	if err := checkCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	return s3store.New(client), nil
}
