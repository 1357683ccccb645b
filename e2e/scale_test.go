//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/s3store"
)

// TestScale runs the deployed workflow's paths for large runs and large
// objects in the twin, each checked against math/big:
//
//   - an S3 Inventory report of over 10,000 objects (several gzipped CSV
//     files, keys that need URL-decoding, a bad object, an empty object and
//     a folder marker) summed through SumInventory, and the same objects
//     through a prefix: the same total;
//   - the total scaled out: TotalPartBytes small enough that TotalParts runs
//     many children;
//   - objects of SplitSizeMiB (here 1) or more summed in ranges by
//     SumLargeObjects, with numbers across the ranges' boundaries at awkward
//     offsets (a sign, a CR LF, a long number), a bad line in a late range
//     named at the object's true line and byte, an object replaced while its
//     ranges are read, and a compressed one, which is not split.
func TestScale(t *testing.T) {
	h := startHarness(t, harnessConfig{Emulators: testEmulators, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 10*time.Minute)

	t.Run("inventory", func(t *testing.T) {
		const bucket = "inventory-data"
		objs := blogDataset(21, "data/", 10000)
		for i, name := range []string{"with space.log", "a+b.log", "100%.log", "ü/ß.log", "q?x=1&y.log", "tilde~.log"} {
			o := numbersObject(newRand(name), 1+i, func() *big.Int { return big.NewInt(int64(7 + i)) })
			o.Key = "data/odd names/" + name
			objs = append(objs, o)
		}
		objs = append(objs, badObject("data/bad.log"))
		if err := createBucket(ctx, h.S3, bucket); err != nil {
			t.Fatal(err)
		}
		if err := upload(ctx, h.S3, bucket, objs); err != nil {
			t.Fatal(err)
		}
		listed := under(objs, "data/")
		// The report S3 Inventory would deliver to the same bucket: its
		// rows in key order, in files of 3,000.
		w := &inventory.Writer{
			Destination:  inventory.Destination{Storage: s3store.New(h.S3), Bucket: bucket},
			SourceBucket: bucket, Prefix: "inventory", ConfigID: "daily",
			Created: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), RowsPerFile: 3000,
		}
		manifest, err := w.Write(ctx, func(yield func(inventory.Row) bool) {
			for _, o := range listed {
				if !yield(inventory.Row{Key: o.Key, Size: int64(len(o.Body))}) {
					return
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		machine, _ := createMachine(ctx, t, h.SFN, "sumsq-inventory", definitionParams{
			DataBucket: bucket, MaxConcurrency: testMaxConcurrency, BatchSize: 200, BatchMaxBytes: 131072,
			ToleratedFailurePercentage: testTolerated, FunctionTimeout: int(testFunctionTimeout / time.Second),
			TotalPartBytes: 64 << 10,
		})
		var summed []testObject
		for _, o := range listed {
			if o.BadLine == 0 {
				summed = append(summed, o)
			}
		}
		want := runWant{bucket: bucket, listed: len(listed), summed: summed,
			failed: map[string]string{"data/bad.log": "InvalidContentError"}, badLine: map[string]int{"data/bad.log": 3}}

		d := execute(ctx, t, h.SFN, machine, "from-inventory", fmt.Sprintf(`{"manifest": "s3://%s/%s"}`, bucket, manifest))
		fromInventory := succeededTotal(t, d)
		checkTotal(t, fromInventory, want)
		if parts := mapRunItems(ctx, t, h.SFN, aws.ToString(d.ExecutionArn), "TotalParts"); parts < 5 {
			t.Errorf("TotalParts ran %d children; want several (TotalPartBytes is 64 KiB)", parts)
		}

		d = execute(ctx, t, h.SFN, machine, "from-prefix", `{"prefix": "data/"}`)
		fromPrefix := succeededTotal(t, d)
		checkTotal(t, fromPrefix, want)
		if fromPrefix.SumOfSquares != fromInventory.SumOfSquares || fromPrefix.Count != fromInventory.Count {
			t.Errorf("through a prefix: count %d, sum %s; through the inventory: count %d, sum %s; want the same",
				fromPrefix.Count, fromPrefix.SumOfSquares, fromInventory.Count, fromInventory.SumOfSquares)
		}

		// Reports SumInventory would not sum right end the run in
		// CheckInventory, before anything is read, the cause saying what
		// to change: one of every version (a key once a version), one of
		// another bucket.
		for _, tt := range []struct {
			name, source string
			versions     bool
			cause        string
		}{
			{"versions", bucket, true, "lists every version of each key"},
			{"other", "another-bucket", false, "it lists the objects of bucket another-bucket"},
		} {
			w := &inventory.Writer{Destination: inventory.Destination{Storage: s3store.New(h.S3), Bucket: bucket},
				SourceBucket: tt.source, Prefix: "inventory", ConfigID: tt.name, Versions: tt.versions,
				Created: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)}
			key, err := w.Write(ctx, func(yield func(inventory.Row) bool) {
				yield(inventory.Row{Key: listed[0].Key, Size: int64(len(listed[0].Body))})
			})
			if err != nil {
				t.Fatal(err)
			}
			h.Proxy.reset()
			d := execute(ctx, t, h.SFN, machine, "inventory-"+tt.name, fmt.Sprintf(`{"manifest": "s3://%s/%s"}`, bucket, key))
			checkFailed(t, d, "InvalidInventoryError", tt.cause)
			if k := eventKinds(t, h.Proxy.reset().Events); len(k) != 1 || k["inventory"] != 1 {
				t.Errorf("the function was sent %v; want the one CheckInventory event", k)
			}
		}
	})

	t.Run("large objects", func(t *testing.T) {
		const bucket = "large-data"
		small := blogDataset(22, "large/small/", 50)
		good, _, _ := awkwardObject("large/good.log", 5<<20, false)
		bad, badLine, badByte := awkwardObject("large/bad.log", 5<<20, true)
		replaced, _, _ := awkwardObject("large/replaced.log", 3<<20, false)
		compressed, _, _ := awkwardObject("large/packed.log.gz", 3<<20, false)
		compressed.Body = gzipped(t, compressed.Body)
		objs := append(small, good, bad, replaced, compressed)
		if err := createBucket(ctx, h.S3, bucket); err != nil {
			t.Fatal(err)
		}
		if err := upload(ctx, h.S3, bucket, objs); err != nil {
			t.Fatal(err)
		}
		machine, _ := createMachine(ctx, t, h.SFN, "sumsq-large", definitionParams{
			DataBucket: bucket, MaxConcurrency: testMaxConcurrency, BatchSize: testBatchSize, BatchMaxBytes: testBatchMaxBytes,
			ToleratedFailurePercentage: 50, FunctionTimeout: int(testFunctionTimeout / time.Second), SplitSizeMiB: 1,
		})
		// The batch that sets replaced.log aside pins its version with its
		// first request; the object is replaced before its ranges are read.
		var gets atomic.Int32
		h.Proxy.beforeGet(bucket, replaced.Key, func() {
			if gets.Add(1) == 2 {
				if _, err := h.S3.PutObject(context.Background(), &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(replaced.Key), Body: bytes.NewReader([]byte("1\n2\n")),
				}); err != nil {
					t.Error(err)
				}
			}
		})
		defer h.Proxy.beforeGet(bucket, replaced.Key, nil)

		d := execute(ctx, t, h.SFN, machine, "large", `{"prefix": "large/"}`)
		got := succeededTotal(t, d)
		checkTotal(t, got, runWant{bucket: bucket, listed: len(objs), summed: append(under(small, ""), good, compressed),
			failed:  map[string]string{bad.Key: "InvalidContentError", replaced.Key: "ObjectChangedError"},
			badLine: map[string]int{bad.Key: badLine}})
		for _, f := range got.Failed {
			if f.Key == bad.Key && !strings.Contains(f.Cause, fmt.Sprintf("line %d (byte %d)", badLine, badByte)) {
				t.Errorf("%s failed with %q; want it to name line %d (byte %d), the object's own", f.Key, f.Cause, badLine, badByte)
			}
		}
		// Three objects of 1 MiB or more and not compressed, in ranges of
		// 1 MiB: 5 + 5 + 3.
		if ranges := mapRunItems(ctx, t, h.SFN, aws.ToString(d.ExecutionArn), "SumLargeObjects"); ranges != 13 {
			t.Errorf("SumLargeObjects ran %d ranges; want 13", ranges)
		}
	})
}

// createMachine renders the deployed definition with p, creates it and
// returns its ARN and the definition.
func createMachine(ctx context.Context, t testing.TB, client *sfn.Client, name string, p definitionParams) (arn, definition string) {
	t.Helper()
	definition = stateMachineDefinition(t, p)
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(definition),
		RoleArn:    aws.String(roleARN),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine(%s): %v", name, err)
	}
	return aws.ToString(out.StateMachineArn), definition
}

// mapRunItems returns the item count of the execution's Map Run whose
// label is label.
func mapRunItems(ctx context.Context, t testing.TB, client *sfn.Client, execution, label string) int64 {
	t.Helper()
	return describeMapRun(ctx, t, client, execution, label).ItemCounts.Total
}

// describeMapRun describes the execution's one Map Run whose label is
// label (a redriven Map Run keeps its ARN).
func describeMapRun(ctx context.Context, t testing.TB, client *sfn.Client, execution, label string) *sfn.DescribeMapRunOutput {
	t.Helper()
	runs, err := client.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(execution)})
	if err != nil {
		t.Fatal(err)
	}
	var found *sfn.DescribeMapRunOutput
	for _, r := range runs.MapRuns {
		if !strings.Contains(aws.ToString(r.MapRunArn), "/"+label+":") {
			continue
		}
		if found != nil {
			t.Fatalf("execution %s has more than one Map Run labelled %s", execution, label)
		}
		if found, err = client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: r.MapRunArn}); err != nil {
			t.Fatal(err)
		}
	}
	if found == nil {
		t.Fatalf("execution %s has no Map Run labelled %s", execution, label)
	}
	return found
}

// awkwardObject returns an object of about size bytes whose numbers cross
// every 1 MiB boundary in the ways that test the rule of parallel ranges: a
// line that begins exactly at a boundary with a sign, a CR LF whose \r ends
// one range and whose \n begins the next, a number of 300 digits across a
// boundary, a blank line just before one. With bad, a line near its end is
// not a number; its line number and byte offset are returned.
func awkwardObject(key string, size int, bad bool) (o testObject, badLine, badByte int) {
	r := newRand(key)
	var b bytes.Buffer
	line := 0
	write := func(s string, v *big.Int) {
		b.WriteString(s)
		line++
		if v != nil {
			o.Numbers = append(o.Numbers, v)
		}
	}
	// pad fills up to exactly at with lines of small numbers, the last one
	// stretched with blanks to end there.
	pad := func(at int) {
		for at-b.Len() > 40 {
			v := smallNumber(r)
			write(v.String()+"\n", v)
		}
		switch n := at - b.Len(); {
		case n == 1:
			write("\n", nil)
		case n > 1:
			v := big.NewInt(int64(r.IntN(9)))
			write(v.String()+strings.Repeat(" ", n-2)+"\n", v)
		}
	}
	long := new(big.Int)
	long.SetString("7"+strings.Repeat("1234567890", 29)+"123456789", 10)
	for mib := 1; mib*(1<<20) < size; mib++ {
		boundary := mib << 20
		switch mib % 4 {
		case 1: // a signed line begins exactly at the boundary
			pad(boundary)
			v := new(big.Int).Neg(long)
			write(v.String()+"\n", v)
		case 2: // "\r" is the boundary's last byte, "\n" the next range's first
			pad(boundary - 4)
			write("123\r\n", big.NewInt(123))
		case 3: // a number of 300 digits across the boundary
			pad(boundary - 150)
			write(long.String()+"\n", long)
		case 0: // a blank line ends just before the boundary
			pad(boundary - 1)
			write("\n", nil)
		}
	}
	if bad {
		pad(size - 300)
		badLine, badByte = line+1, b.Len()
		write("seven\n", nil)
		o.BadLine = badLine
		o.Numbers = nil // not summed
	}
	for b.Len() < size-8 {
		v := smallNumber(r)
		write(v.String()+"\n", v)
	}
	o.Key, o.Body = key, b.Bytes()
	return o, badLine, badByte
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if _, err := z.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
