package s3store

import (
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PathStyleEnv names the environment variable that, set to "true", makes
// S3 requests use path-style addressing (http://host/bucket/key), as
// S3-compatible servers on a local address want. The SDK reads the
// endpoint itself (AWS_ENDPOINT_URL_S3), but has no variable for this.
// The function and the CLI read the same one.
const PathStyleEnv = "S3_FORCE_PATH_STYLE"

// ClientOptions returns the S3 client options the function and the CLI
// share: path-style addressing if asked for, no log line for every object
// read that was stored without a checksum (the common case), and an HTTP
// connection pool that keeps conns idle connections to S3 rather than the
// Go default of 2 per host, so that conns concurrent GETs reuse their
// connections instead of opening new ones (a new TLS connection costs more
// than a small GET).
func ClientOptions(pathStyle bool, conns int) func(*s3.Options) {
	return func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
		// Only the SDK's own client can be sized: it also carries the
		// TLS settings of AWS_CA_BUNDLE, which a new client would lose.
		if c, ok := o.HTTPClient.(*awshttp.BuildableClient); ok && conns > 0 {
			o.HTTPClient = c.WithTransportOptions(func(t *http.Transport) {
				t.MaxIdleConns = max(t.MaxIdleConns, conns)
				t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, conns)
			})
		}
	}
}
