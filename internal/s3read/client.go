package s3read

import "github.com/aws/aws-sdk-go-v2/service/s3"

// PathStyleEnv names the environment variable that, set to "true", makes
// S3 requests use path-style addressing (http://host/bucket/key), as
// S3-compatible servers on a local address want. The SDK reads the
// endpoint itself (AWS_ENDPOINT_URL_S3), but has no variable for this.
// The function and the CLI read the same one.
const PathStyleEnv = "S3_FORCE_PATH_STYLE"

// ClientOptions returns the S3 client options the function and the CLI
// share: path-style addressing if asked for, and no log line for every
// object read that was stored without a checksum, the common case.
func ClientOptions(pathStyle bool) func(*s3.Options) {
	return func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	}
}
