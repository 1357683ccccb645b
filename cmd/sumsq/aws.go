package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// awsClients are the clients start calls AWS through.
type awsClients struct {
	region     string // the configuration's region, where a stack is looked up
	stacks     stackAPI
	executions func(region string) executionAPI // in the region of the state machine
}

// A connector returns start's clients, the configuration's region being
// region if not empty: connectAWS, or a test's fakes.
type connector func(ctx context.Context, region string) (*awsClients, error)

// connectAWS loads the SDK's configuration (see loadAWSConfig), makes sure
// it has a region and credentials, and returns the SDK's clients.
func connectAWS(ctx context.Context, region string) (*awsClients, error) {
	cfg, err := loadAWSConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, the profile's region, or -region")
	}
	if err := checkCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	return &awsClients{
		region: cfg.Region,
		stacks: cloudformation.NewFromConfig(cfg),
		executions: func(region string) executionAPI {
			return sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.Region = region })
		},
	}, nil
}

// loadAWSConfig loads the SDK's configuration the usual way (environment,
// AWS_PROFILE, shared files, SSO, instance roles; AWS_ENDPOINT_URL_<SERVICE>
// for local servers), with region, if not empty, overriding the configured
// one.
func loadAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return cfg, nil
}

// checkCredentials makes sure cfg has credentials before a call needs
// them. Without it a missing configuration shows as a long error from the
// signing step of the first call; with it, it says what to set. The
// credentials it fetches are cached for the calls that follow.
func checkCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return errNoCredentials{}
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errNoCredentials{err}
	}
	return nil
}

// errNoCredentials means the SDK found no credentials.
type errNoCredentials struct{ err error }

func (e errNoCredentials) Error() string {
	msg := "no AWS credentials found: set AWS_PROFILE (to a profile made by 'aws configure' or 'aws configure sso'), " +
		"or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	if e.err != nil {
		msg += " (" + e.err.Error() + ")"
	}
	return msg
}

func (e errNoCredentials) Unwrap() error { return e.err }
