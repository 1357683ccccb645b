package s3store_test

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

func TestPathStyle(t *testing.T) {
	tests := []struct {
		value string
		want  bool
		err   string
	}{
		{"", false, ""},
		{"true", true, ""},
		{"false", false, ""},
		{"1", true, ""},
		{"yes", false, `S3_FORCE_PATH_STYLE="yes": want true or false`},
	}
	for _, tt := range tests {
		got, err := s3store.PathStyle(env(s3store.PathStyleEnv, tt.value))
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("PathStyle(%s=%q) = %v, %v; want %v, %q", s3store.PathStyleEnv, tt.value, got, err, tt.want, tt.err)
		}
	}
}

// TestNewClient reaches a local server as the function and the CLI do:
// path-style, at the endpoint given, in us-east-1 when the configuration
// has no region.
func TestNewClient(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", []byte("1\n"))
	cfg := srv.Config()
	cfg.BaseEndpoint, cfg.Region = nil, ""
	client, err := s3store.NewClient(cfg, s3store.ClientConfig{Endpoint: srv.URL, Connections: 64, Getenv: env(s3store.PathStyleEnv, "true")})
	if err != nil {
		t.Fatal(err)
	}
	if got := client.Options(); !got.UsePathStyle || got.Region != "us-east-1" || aws.ToString(got.BaseEndpoint) != srv.URL {
		t.Errorf("options: path style %v, region %q, endpoint %q; want true, us-east-1, %s", got.UsePathStyle, got.Region, aws.ToString(got.BaseEndpoint), srv.URL)
	}
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, err := io.ReadAll(out.Body); string(b) != "1\n" || err != nil {
		t.Errorf("GET = %q, %v; want %q", b, err, "1\n")
	}

	if _, err := s3store.NewClient(cfg, s3store.ClientConfig{Getenv: env(s3store.PathStyleEnv, "yes")}); err == nil {
		t.Errorf("NewClient with %s=yes = nil error; want one naming it", s3store.PathStyleEnv)
	}
}
