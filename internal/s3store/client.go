package s3store

import (
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PathStyleEnv names the environment variable that, set to "true", makes
// S3 requests use path-style addressing (http://host/bucket/key), as
// S3-compatible servers on a local address want. The SDK reads the
// endpoint itself (AWS_ENDPOINT_URL_S3), but has no variable for this.
// The function and the CLI read the same one, through NewClient.
const PathStyleEnv = "S3_FORCE_PATH_STYLE"

// A ClientConfig says how to reach S3, beyond the SDK's configuration.
type ClientConfig struct {
	// Endpoint, if set, is where every request goes, over what the SDK's
	// configuration says (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the
	// configuration files): the CLI's -endpoint-url.
	Endpoint string

	// Connections is how many requests may be open at once: the pool
	// keeps that many idle connections to S3 rather than the Go default
	// of 2 per host, so that concurrent GETs reuse their connections
	// instead of opening new ones (a new TLS connection costs more than a
	// small GET).
	Connections int

	// Getenv reads PathStyleEnv; nil means os.Getenv.
	Getenv func(string) string
}

// NewClient returns the S3 client the function and the CLI use, over cfg,
// the SDK's configuration as the caller loaded it: path-style addressing
// if PathStyleEnv says so, c's endpoint and connection pool, no log line
// for every object read that was stored without a checksum (the common
// case), and the region us-east-1 when cfg has none (buckets there are
// reached without one; others need it, as S3 then says). Its error names
// the environment variable that is wrong.
func NewClient(cfg aws.Config, c ClientConfig) (*s3.Client, error) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	pathStyle, err := PathStyle(getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		// Only the SDK's own client can be sized: it also carries the
		// TLS settings of AWS_CA_BUNDLE, which a new client would lose.
		if hc, ok := o.HTTPClient.(*awshttp.BuildableClient); ok && c.Connections > 0 {
			o.HTTPClient = hc.WithTransportOptions(func(t *http.Transport) {
				t.MaxIdleConns = max(t.MaxIdleConns, c.Connections)
				t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, c.Connections)
			})
		}
	}), nil
}

// PathStyle reports whether PathStyleEnv, read with getenv, asks for
// path-style addressing: unset or empty is false. Any value other than
// true or false is an error naming the variable.
func PathStyle(getenv func(string) string) (bool, error) {
	v := getenv(PathStyleEnv)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", PathStyleEnv, v)
	}
	return b, nil
}
