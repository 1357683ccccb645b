package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// awsFlags are the flags that say how to reach AWS, named as the AWS CLI
// names them: each overrides what the SDK's configuration says.
type awsFlags struct {
	endpointURL string // the endpoint of every service called, as AWS_ENDPOINT_URL
	profile     string // as AWS_PROFILE
	region      string // as AWS_REGION
}

// register defines the flags on fs; regionUsage says what -region is the
// region of.
func (a *awsFlags) register(fs *flag.FlagSet, regionUsage string) {
	fs.StringVar(&a.endpointURL, "endpoint-url", "", "send AWS requests to this `URL` (an S3-compatible server, a local twin), as AWS_ENDPOINT_URL")
	fs.StringVar(&a.profile, "profile", "", "use this `profile` of the AWS configuration files, as AWS_PROFILE")
	fs.StringVar(&a.region, "region", "", regionUsage)
}

// check checks the flags' values: a usage error names cmd.
func (a awsFlags) check(cmd string) error {
	if a.endpointURL == "" {
		return nil
	}
	u, err := url.Parse(a.endpointURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Sprintf("%s: -endpoint-url %q: want an http:// or https:// URL, like http://127.0.0.1:9000", cmd, a.endpointURL)}
	}
	return nil
}

// baseEndpoint returns -endpoint-url, nil if not given, for the clients'
// BaseEndpoint option. An endpoint given to a client wins over the
// environment and the configuration files, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
// included, as the AWS CLI's --endpoint-url does
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
func (a awsFlags) baseEndpoint() *string {
	if a.endpointURL == "" {
		return nil
	}
	return aws.String(a.endpointURL)
}

// awsClients are the clients start calls AWS through.
type awsClients struct {
	region     string // the configuration's region, where a stack is looked up
	stacks     stackAPI
	executions func(region string) executionAPI // in the region of the state machine
}

// A connector returns start's clients, configured as a says:
// connectAWS, or a test's fakes.
type connector func(ctx context.Context, a awsFlags) (*awsClients, error)

// in returns a with region, if not empty, as its region.
func (a awsFlags) in(region string) awsFlags {
	a.region = cmp.Or(region, a.region)
	return a
}

// connectAWS loads the SDK's configuration (see loadAWSConfig), makes sure
// it has a region and credentials, and returns the SDK's clients.
func connectAWS(ctx context.Context, a awsFlags) (*awsClients, error) {
	cfg, err := loadAWSConfig(ctx, a)
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
		stacks: cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) {
			o.BaseEndpoint = cmp.Or(a.baseEndpoint(), o.BaseEndpoint)
		}),
		executions: func(region string) executionAPI {
			return sfn.NewFromConfig(cfg, func(o *sfn.Options) {
				o.Region = region
				o.BaseEndpoint = cmp.Or(a.baseEndpoint(), o.BaseEndpoint)
			})
		},
	}, nil
}

// loadAWSConfig loads the SDK's configuration the usual way (environment,
// AWS_PROFILE, shared files, SSO, instance roles; AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE> for local servers), -profile and -region
// overriding what they name. -endpoint-url is the clients' (baseEndpoint).
func loadAWSConfig(ctx context.Context, a awsFlags) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if a.region != "" {
		opts = append(opts, config.WithRegion(a.region))
	}
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
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
