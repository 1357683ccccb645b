//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// A testObject is an S3 object the tests upload, with the numbers it holds
// as the generator chose them: its expected sum is computed from those with
// math/big, never by parsing the text the function parses.
type testObject struct {
	Key     string
	Body    []byte
	Numbers []*big.Int
	BadLine int // > 0: the content is invalid at this line
}

// sumOfSquares returns the count of numbers and the sum of their squares.
func sumOfSquares(objs ...testObject) (count int64, sum *big.Int) {
	sum = new(big.Int)
	var sq big.Int
	for _, o := range objs {
		for _, n := range o.Numbers {
			sum.Add(sum, sq.Mul(n, n))
			count++
		}
	}
	return count, sum
}

// under returns the objects whose keys start with prefix, by key.
func under(objs []testObject, prefix string) []testObject {
	var out []testObject
	for _, o := range objs {
		if strings.HasPrefix(o.Key, prefix) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b testObject) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// blogDataset returns n objects under prefix like the blog's random_N.log
// files (one number of 1 to 3 digits and a newline), mixed with what the
// contract allows and a real bucket holds: several numbers in a file,
// numbers far beyond 64 bits, negative numbers, signs, leading zeros,
// blanks, CRLF line ends, blank lines, a BOM, no final newline, empty
// objects, a "folder" key (ending in /) and objects under it.
func blogDataset(seed uint64, prefix string, n int) []testObject {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	objs := []testObject{{Key: prefix + "sub/"}} // the console's "Create folder"
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("%srandom_%d.log", prefix, i)
		if i%40 == 0 {
			key = fmt.Sprintf("%ssub/random_%d.log", prefix, i)
		}
		var o testObject
		switch {
		case i%60 == 0: // an empty object
			o = testObject{}
		case i%25 == 0: // big numbers, some negative
			o = numbersObject(r, 1+r.IntN(4), func() *big.Int { return bigNumber(r) })
		case i%7 == 0: // several small numbers
			o = numbersObject(r, 2+r.IntN(30), func() *big.Int { return smallNumber(r) })
		default: // the blog's kind: one number, 1 to 3 digits
			v := big.NewInt(int64(r.IntN(1000)))
			o = testObject{Body: []byte(v.String() + "\n"), Numbers: []*big.Int{v}}
		}
		switch i {
		case 3: // a UTF-8 BOM first
			o.Body = append([]byte("\uFEFF"), o.Body...)
		case 5: // no newline after the last number
			o.Body = bytes.TrimSuffix(o.Body, []byte("\n"))
		}
		o.Key = key
		objs = append(objs, o)
	}
	return objs
}

// longNamed returns n objects under prefix whose keys are about 200 bytes
// long, each with a few numbers: a run of them fills a batch's bytes
// (MaxInputBytesPerBatch) before its count (MaxItemsPerBatch).
func longNamed(seed uint64, prefix string, n int) []testObject {
	r := rand.New(rand.NewPCG(seed, seed^0x1096))
	pad := strings.Repeat("long-name-", 19)
	objs := make([]testObject, 0, n)
	for i := 1; i <= n; i++ {
		o := numbersObject(r, 1+r.IntN(3), func() *big.Int { return smallNumber(r) })
		o.Key = fmt.Sprintf("%s%s%04d.log", prefix, pad, i)
		objs = append(objs, o)
	}
	return objs
}

// newRand is a generator seeded from name, so that each object has numbers
// of its own, the same in every run.
func newRand(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(h.Sum64(), 1))
}

// numbersObject writes n numbers, decorated in the ways the grammar allows
// (blanks around them, "\r\n" line ends, blank lines, a "+" sign, leading
// zeros).
func numbersObject(r *rand.Rand, n int, number func() *big.Int) testObject {
	var o testObject
	var b strings.Builder
	for range n {
		v := number()
		o.Numbers = append(o.Numbers, v)
		s := v.String()
		switch r.IntN(8) {
		case 0:
			s = " \t" + s + "  "
		case 1:
			s += "\r"
		case 2:
			b.WriteString("\n") // a blank line before
		case 3:
			if v.Sign() >= 0 {
				s = "+" + s
			}
		case 4:
			if v.Sign() >= 0 {
				s = "000" + s
			}
		}
		b.WriteString(s + "\n")
	}
	o.Body = []byte(b.String())
	return o
}

// smallNumber is -999..999.
func smallNumber(r *rand.Rand) *big.Int {
	return big.NewInt(int64(r.IntN(1999) - 999))
}

// bigNumber has 19 to 80 digits: from just under to far beyond 64 bits.
func bigNumber(r *rand.Rand) *big.Int {
	digits := 19 + r.IntN(62)
	var b strings.Builder
	b.WriteByte(byte('1' + r.IntN(9)))
	for range digits - 1 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	v, _ := new(big.Int).SetString(b.String(), 10)
	if r.IntN(3) == 0 {
		v.Neg(v)
	}
	return v
}

// badObject is valid but for line 3.
func badObject(key string) testObject {
	return testObject{
		Key:     key,
		Body:    []byte("12\n-4\n7 apples\n9\n"),
		Numbers: nil, // not summed
		BadLine: 3,
	}
}

// createBucket creates a bucket in moto's S3.
func createBucket(ctx context.Context, client *s3.Client, bucket string) error {
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	return err
}

// upload puts the objects into bucket, a few at a time.
func upload(ctx context.Context, client *s3.Client, bucket string, objs []testObject) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, o := range objs {
		g.Go(func() error {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket),
				Key:    aws.String(o.Key),
				Body:   bytes.NewReader(o.Body),
			})
			if err != nil {
				return fmt.Errorf("uploading %s: %w", o.Key, err)
			}
			return nil
		})
	}
	return g.Wait()
}
