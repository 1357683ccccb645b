//go:build e2e

package e2e

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestInvokeTLS runs the function against versitygw, a real S3 gateway
// that moto is not: over HTTPS, with the SDK's default checksums on both
// sides (the test uploads with CRC32 and aws-chunked bodies, the function
// validates what it reads and writes its list of failures the same way).
// That is where a server that mishandles chunked uploads would corrupt
// objects silently. Each answer is checked exactly, and the list of
// failures the function wrote is read back line by line.
func TestInvokeTLS(t *testing.T) {
	logDir := t.TempDir()
	gw := startVersityGW(t, logDir)
	rie := startEmulator(t, logDir, "rie-tls", functionEnv{
		S3Endpoint: gw.URL,
		Timeout:    testFunctionTimeout,
		Extra:      []string{"AWS_CA_BUNDLE=" + gw.CAFile},
	})
	ctx := testContext(t, 3*time.Minute)
	client := gw.client()
	const bucket = "sumsq-tls"
	if err := createBucket(ctx, client, bucket); err != nil {
		t.Fatal(err)
	}

	// About 1 MiB of numbers: the function streams it and validates its CRC.
	r := newRand("today/big.log")
	large := numbersObject(r, 200_000, func() *big.Int { return smallNumber(r) })
	large.Key = "today/big.log"
	small := generatedObject("today/a.log", nil)
	small.Key = "today/a.log"
	bad := badObject("today/bad.log")
	objs := []testObject{large, small, bad, {Key: "today/empty.log"}, {Key: "today/sub/"}}
	if err := upload(ctx, client, bucket, objs); err != nil {
		t.Fatal(err)
	}
	invoke := func(t *testing.T, event string, result any) {
		t.Helper()
		status, body, err := rie.invoke(ctx, []byte(event))
		if err != nil || status != 200 {
			t.Fatalf("invoke(%s) = HTTP %d, %s, %v; want HTTP 200", event, status, body, err)
		}
		if _, isErr := functionError(body); isErr {
			t.Fatalf("invoke(%s) = %s; want a result", event, body)
		}
		mustUnmarshal(t, body, result)
	}

	t.Run("object", func(t *testing.T) {
		var got objectResult
		invoke(t, fmt.Sprintf(`{"bucket": %q, "key": %q}`, bucket, large.Key), &got)
		count, sum := sumOfSquares(large)
		want := objectResult{Bucket: bucket, Key: large.Key, Count: count, SumOfSquares: sum.String()}
		if got != want {
			t.Errorf("invoke(%s) = %+v; want %+v (%d bytes)", large.Key, got, want, len(large.Body))
		}
	})

	t.Run("batch", func(t *testing.T) {
		var items []eventObject
		for _, o := range objs {
			size := int64(len(o.Body))
			items = append(items, eventObject{Bucket: bucket, Key: o.Key, Size: &size})
		}
		var got batchResult
		invoke(t, string(mustJSON(t, map[string]any{"Items": items, "BatchInput": map[string]any{}})), &got)
		summed := []testObject{large, small, objs[3], objs[4]}
		count, sum := sumOfSquares(summed...)
		if got.Objects != int64(len(summed)) || got.Count != count || got.SumOfSquares != sum.String() ||
			got.FailedObjects != 1 || len(got.Failed) != 1 || got.Failed[0].Key != bad.Key ||
			got.Failed[0].Error != "InvalidContentError" || !strings.Contains(got.Failed[0].Cause, "line 3") {
			t.Errorf("invoke(batch) = %+v;\nwant objects %d, count %d, sumOfSquares %s, and %s failed at line 3 with InvalidContentError",
				got, len(summed), count, sum, bad.Key)
		}
	})

	t.Run("failures written", func(t *testing.T) {
		// More failures than a part of the total lists: the function
		// streams them all, as JSON Lines, next to the results (a multipart
		// upload over TLS, no /tmp) and names the object.
		const failures = 150
		dir := "results/0f0e"
		var failed []failure
		for i := range failures {
			failed = append(failed, failure{Bucket: bucket, Key: fmt.Sprintf("today/bad_%03d.log", i),
				Error: "InvalidContentError", Cause: "line 1 (byte 0): not an integer"})
		}
		output := batchResult{Objects: 1, Count: 2, SumOfSquares: "5", Results: []objectResult{{Bucket: bucket, Key: "today/ok.log", Count: 2, SumOfSquares: "5"}},
			FailedObjects: failures, Failed: failed}
		records := append(mustJSON(t, output), '\n') // COMPACT, JSONL: the batch's output, a line
		if err := upload(ctx, client, bucket, []testObject{{Key: dir + "/SUCCEEDED_0.json", Body: records}}); err != nil {
			t.Fatal(err)
		}

		var got partial
		invoke(t, string(mustJSON(t, map[string]any{"TotalPart": map[string]any{"bucket": bucket, "key": dir + "/SUCCEEDED_0.json",
			"status": "SUCCEEDED", "size": len(records), "start": 0, "end": len(records), "index": 0}})), &got)
		if got.Objects != 1 || got.Count != 2 || got.SumOfSquares != "5" || got.FailedObjects != failures ||
			len(got.Failed) == 0 || len(got.Failed) >= failures || got.FailuresKey == "" {
			t.Fatalf("invoke(part) = objects %d, count %d, sumOfSquares %s, failedObjects %d, %d failed listed, failuresKey %q;\nwant 1, 2, 5, %d, fewer listed, a key",
				got.Objects, got.Count, got.SumOfSquares, got.FailedObjects, len(got.Failed), got.FailuresKey, failures)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(got.FailuresKey)})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		sc := bufio.NewScanner(out.Body)
		n := 0
		for ; sc.Scan(); n++ {
			var f failure
			if err := json.Unmarshal(sc.Bytes(), &f); err != nil || n >= failures || f != failed[n] {
				t.Fatalf("%s line %d = %s (%v); want %+v", got.FailuresKey, n+1, sc.Bytes(), err, failed[min(n, failures-1)])
			}
		}
		if err := sc.Err(); err != nil || n != failures {
			t.Errorf("%s has %d lines (%v); want %d", got.FailuresKey, n, err, failures)
		}
	})
}

// A versityGW is versitygw serving a POSIX directory over HTTPS on loopback,
// with a certificate made for the test.
type versityGW struct {
	URL    string // https://127.0.0.1:PORT
	CAFile string // the certificate, PEM, for AWS_CA_BUNDLE
	pool   *x509.CertPool
}

func startVersityGW(t testing.TB, logDir string) *versityGW {
	t.Helper()
	bin := versityGWPath(t)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		cmd := exec.Command(bin, "--port", addr, "--access", "test", "--secret", "test",
			"--cert", certFile, "--key", keyFile, "posix", data)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		p := startProcess(t, logDir, "versitygw", cmd)
		lastErr = waitReady(p, 20*time.Second, dialReady(addr))
		if lastErr == nil {
			return &versityGW{URL: "https://" + addr, CAFile: certFile, pool: pool}
		}
		p.stop()
		if !isBindError(p.tail(20)) {
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

// client is an S3 client with the SDK's defaults (checksums when
// supported) that trusts the gateway's certificate.
func (g *versityGW) client() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  testCredentials,
		BaseEndpoint: aws.String(g.URL),
		UsePathStyle: true,
		HTTPClient: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: g.pool},
		}},
	})
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key into dir.
func selfSignedCert(t testing.TB, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}
