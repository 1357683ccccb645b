//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestInvoke sends events to the bootstrap under the emulator, as
// `sam local invoke -e function/testdata/<event>.json` does, with the
// objects the events name uploaded to moto's S3 first, and checks each
// answer exactly: every shipped event, then the documented errors.
func TestInvoke(t *testing.T) {
	h := startHarness(t, harnessConfig{Emulators: 1, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 3*time.Minute)
	rie := h.Pool[0]
	invoke := func(t *testing.T, event []byte) []byte {
		t.Helper()
		status, body, err := rie.invoke(ctx, event)
		if err != nil || status != 200 {
			t.Fatalf("invoke(%s) = HTTP %d, %s, %v; want HTTP 200", event, status, body, err)
		}
		return body
	}

	events, err := filepath.Glob(filepath.Join(repoRoot(t), "function", "testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 {
		t.Fatal("no events in function/testdata")
	}
	buckets := make(map[string]bool)
	for _, file := range events {
		t.Run(filepath.Base(file), func(t *testing.T) {
			event, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			e := eventFixture{t: t, h: h, buckets: buckets}
			want := e.prepare(event)
			body := invoke(t, event)
			if !sameResult(t, body, want) {
				t.Errorf("invoke(%s) =\n%s\nwant\n%s", filepath.Base(file), body, mustJSON(t, want))
			}
		})
	}

	// The documented errors: errorType is the error's Go type name, the
	// name Step Functions matches, with a message that says what is wrong.
	bad := badObject("errors/bad.log")
	e := eventFixture{t: t, h: h, buckets: buckets}
	e.put("my-bucket", bad.Key, bad.Body)
	for _, tc := range []struct {
		name, event, errorType string
		message                []string // each in errorMessage
	}{
		{"missing object", `{"bucket": "my-bucket", "key": "errors/nothing.log"}`,
			"ObjectNotFoundError", []string{"s3://my-bucket/errors/nothing.log"}},
		{"missing bucket", `{"bucket": "no-such-bucket", "key": "a.log"}`,
			"ObjectNotFoundError", []string{"no-such-bucket"}},
		{"bad content", `{"bucket": "my-bucket", "key": "errors/bad.log"}`,
			"InvalidContentError", []string{"s3://my-bucket/errors/bad.log", "line 3", "apples"}},
		{"not an event", `"today/random_1.log"`, "InvalidEventError", nil},
		{"no key", `{"bucket": "my-bucket"}`, "InvalidEventError", nil},
		{"not JSON", `{"bucket": `, "InvalidEventError", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := invoke(t, []byte(tc.event))
			var got functionErrorBody
			if err := json.Unmarshal(body, &got); err != nil || got.ErrorType != tc.errorType {
				t.Fatalf("invoke(%s) = %s; want errorType %s", tc.event, body, tc.errorType)
			}
			for _, m := range tc.message {
				if !strings.Contains(got.ErrorMessage, m) {
					t.Errorf("invoke(%s): errorMessage %q; want it to contain %q", tc.event, got.ErrorMessage, m)
				}
			}
		})
	}
}

// An eventFixture uploads what an event refers to and returns the answer
// it expects. Objects get generated numbers, from a seed derived from
// their key, so that each has its own exact sum.
type eventFixture struct {
	t       *testing.T
	h       *harness
	buckets map[string]bool
}

// prepare recognises the event's shape as the function does.
func (e eventFixture) prepare(event []byte) any {
	e.t.Helper()
	var v any
	if err := json.Unmarshal(event, &v); err != nil {
		e.t.Fatalf("event: %v", err)
	}
	switch v := v.(type) {
	case map[string]any:
		switch {
		case v["Total"] != nil:
			return e.finalTotal(event)
		case v["Items"] != nil:
			return e.batch(event)
		case v["key"] != nil:
			var o eventObject
			mustUnmarshal(e.t, event, &o)
			return e.object(o)
		}
	}
	e.t.Fatalf("no expectation for an event like %s", event)
	return nil
}

// eventObject is an object as events name it.
type eventObject struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Size   *int64 `json:"size"`
}

// bucketName accepts a bucket's name or its ARN, as the function does.
func bucketName(b string) string {
	if i := strings.LastIndex(b, ":::"); strings.HasPrefix(b, "arn:") && i >= 0 {
		return b[i+3:]
	}
	return b
}

// object uploads o with numbers of its own (exactly Size bytes of them when
// the event gives a size) and returns its expected result.
func (e eventFixture) object(o eventObject) objectResult {
	e.t.Helper()
	bucket := bucketName(o.Bucket)
	obj := generatedObject(o.Key, o.Size)
	e.put(bucket, o.Key, obj.Body)
	count, sum := sumOfSquares(obj)
	return objectResult{Bucket: bucket, Key: o.Key, Count: count, SumOfSquares: sum.String()}
}

// batch uploads a batch's objects and returns its expected subtotal.
func (e eventFixture) batch(event []byte) batchResult {
	e.t.Helper()
	var b struct{ Items []eventObject }
	mustUnmarshal(e.t, event, &b)
	want := batchResult{Results: []objectResult{}, Failed: []failure{}, SumOfSquares: "0"}
	sum := new(big.Int)
	for _, o := range b.Items {
		r := e.object(o)
		want.Results = append(want.Results, r)
		want.Objects++
		want.Count += r.Count
		n, _ := new(big.Int).SetString(r.SumOfSquares, 10)
		sum.Add(sum, n)
	}
	want.SumOfSquares = sum.String()
	return want
}

// sameResult reports whether body is the JSON of want.
func sameResult(t testing.TB, body []byte, want any) bool {
	t.Helper()
	return reflect.DeepEqual(fromJSON(t, body), fromJSON(t, mustJSON(t, want)))
}

// finalTotal writes what the last step of a run reads besides its event:
// the manifest of a SumLargeObjects Map Run of no range and an empty
// ranges.jsonl (no object was set aside), where the event says. The total
// is then the event's subtotal, within its ToleratedFailurePercentage.
func (e eventFixture) finalTotal(event []byte) total {
	e.t.Helper()
	var ev struct {
		Total struct {
			total
			MapRun struct{ ResultWriterDetails struct{ Bucket, Key string } } `json:"mapRun"`
		}
		Ranges struct {
			MapRunArn           string
			ResultWriterDetails struct{ Bucket, Key string }
		}
	}
	mustUnmarshal(e.t, event, &ev)
	data := ev.Total.MapRun.ResultWriterDetails
	e.put(data.Bucket, path.Dir(data.Key)+"/ranges.jsonl", nil)
	ranges := ev.Ranges.ResultWriterDetails
	e.put(ranges.Bucket, ranges.Key, mustJSON(e.t, map[string]any{"DestinationBucket": ranges.Bucket, "MapRunArn": ev.Ranges.MapRunArn,
		"ResultFiles": map[string]any{"FAILED": []any{}, "PENDING": []any{}, "SUCCEEDED": []any{}}}))
	want := ev.Total.total
	want.SkippedObjects = 0 // omitted when 0
	return want
}

// put uploads body to bucket/key, creating the bucket the first time.
func (e eventFixture) put(bucket, key string, body []byte) {
	e.t.Helper()
	ctx := testContext(e.t, time.Minute)
	if !e.buckets[bucket] {
		if err := createBucket(ctx, e.h.S3, bucket); err != nil {
			e.t.Fatal(err)
		}
		e.buckets[bucket] = true
	}
	_, err := e.h.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		e.t.Fatalf("uploading s3://%s/%s: %v", bucket, key, err)
	}
}

// generatedObject holds numbers chosen from a seed derived from key: a few
// small ones and one beyond 64 bits, padded with blank lines to exactly
// *size bytes when size is given (nothing when it is 0: a size-0 object
// is not read). A size too small for any number gets blank lines only.
func generatedObject(key string, size *int64) testObject {
	r := newRand(key)
	o := numbersObject(r, 3+r.IntN(5), func() *big.Int { return smallNumber(r) })
	huge := bigNumber(r)
	o.Numbers = append(o.Numbers, huge)
	o.Body = append(o.Body, huge.String()+"\n"...)
	if size == nil {
		return o
	}
	for int64(len(o.Body)) > *size && len(o.Numbers) > 0 {
		// Drop numbers from the end until the rest fits.
		o.Numbers = o.Numbers[:len(o.Numbers)-1]
		var b strings.Builder
		for _, n := range o.Numbers {
			b.WriteString(n.String() + "\n")
		}
		o.Body = []byte(b.String())
	}
	o.Body = append(o.Body, bytes.Repeat([]byte("\n"), int(*size)-len(o.Body))...)
	return o
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustUnmarshal(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// fromJSON decodes JSON into the generic form json.Unmarshal gives any.
func fromJSON(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	mustUnmarshal(t, b, &v)
	return v
}
