package s3store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/s3store"
)

func TestBucketName(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"my-bucket", "my-bucket"},
		{"arn:aws:s3:::my-bucket", "my-bucket"},
		{"arn:aws-cn:s3:::my-bucket", "my-bucket"},
		{"arn:aws-us-gov:s3:::my-bucket", "my-bucket"},
		{"arn:aws-iso-b:s3:::my.bucket.1", "my.bucket.1"},
		{"abc", "abc"},
		{strings.Repeat("a", 63), strings.Repeat("a", 63)},
	}
	for _, tt := range tests {
		got, err := s3store.BucketName(tt.in)
		if got != tt.want || err != nil {
			t.Errorf("BucketName(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestBucketNameInvalid(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string // in the error's message
	}{
		{"empty", "", "empty bucket name"},
		{"short", "ab", "3 to 63 characters, not 2"},
		{"long", strings.Repeat("a", 64), "3 to 63 characters, not 64"},
		{"uppercase", "My-bucket", `'M' at byte 0`},
		{"underscore", "my_bucket", `'_' at byte 2`},
		{"slash", "my-bucket/key", `'/' at byte 9`},
		{"leading dot", ".bucket", "begins and ends"},
		{"trailing hyphen", "bucket-", "begins and ends"},
		{"s3 URL", "s3://my-bucket", `':' at byte 2`},
		{"ARN empty partition", "arn::s3:::my-bucket", "bad partition"},
		{"ARN bad partition", "arn:AWS:s3:::my-bucket", "bad partition"},
		{"ARN other service", "arn:aws:sqs:::my-bucket", "want arn:aws:s3:::BUCKET"},
		{"ARN with region", "arn:aws:s3:us-east-1::my-bucket", "want arn:aws:s3:::BUCKET"},
		{"access point ARN", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "want arn:aws:s3:::BUCKET"},
		{"ARN without name", "arn:aws:s3:::", "empty bucket name"},
		{"object ARN", "arn:aws:s3:::my-bucket/key", `'/' at byte 9`},
		{"long input is quoted short", strings.Repeat("x", 5000), `"xxxxxxxx`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s3store.BucketName(tt.in)
			if got != "" || err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("BucketName(%.80q) = %q, %v; want \"\", an error containing %q", tt.in, got, err, tt.reason)
			}
			if len(err.Error()) > 300 {
				t.Errorf("BucketName(%.80q): message of %d bytes; want at most 300", tt.in, len(err.Error()))
			}
		})
	}
}

func TestCheckKey(t *testing.T) {
	s := &s3store.Store{}
	for _, tt := range []struct {
		key string
		ok  bool
	}{
		{"k", true},
		{strings.Repeat("k", s3store.MaxKeyBytes), true},
		{strings.Repeat("é", s3store.MaxKeyBytes/2), true},
		{strings.Repeat("k", s3store.MaxKeyBytes+1), false},
	} {
		if err := s.CheckKey(tt.key); (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), "S3 keys have at most 1024") {
			t.Errorf("CheckKey(%d bytes) = %v; want ok %v", len(tt.key), err, tt.ok)
		}
	}
}

func ExampleBucketName() {
	for _, s := range []string{"my-bucket", "arn:aws:s3:::my-bucket", "arn:aws-us-gov:s3:::my-bucket", "My_Bucket"} {
		name, err := s3store.BucketName(s)
		fmt.Printf("%q %v\n", name, err)
	}
	// Output:
	// "my-bucket" <nil>
	// "my-bucket" <nil>
	// "my-bucket" <nil>
	// "" bucket "My_Bucket": 'M' at byte 0: a bucket name has only lowercase letters, digits, dots and hyphens
}

func ExampleLocation() {
	fmt.Println(s3store.Location("my-bucket", "today/random_1.log"))
	// Output: s3://my-bucket/today/random_1.log
}
