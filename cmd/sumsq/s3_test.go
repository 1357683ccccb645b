package main

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sampledata"
)

// s3TestEnv points the CLI's S3 client, built as it is for people, at srv.
func s3TestEnv(t *testing.T, srv *s3test.Server) {
	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	t.Setenv(s3store.PathStyleEnv, "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
}

func TestRunS3(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)

	// More objects than one page of ListObjectsV2 holds, and around them
	// the cases the workflow treats specially.
	type want struct {
		count int64
		sum   *big.Int
		fail  string // the failure line's "ErrorName: message"
	}
	objects := map[string]want{}
	g, err := sampledata.NewGenerator(sampledata.Options{Files: 1205, Max: 999, Several: 0.2, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for {
		name, content, ok := g.Next()
		if !ok {
			break
		}
		srv.Put(t, "data", "today/"+name, content)
		c, s := reference(t, string(content))
		objects["today/"+name] = want{count: c, sum: s}
	}
	srv.Put(t, "data", "today/big.log", []byte("-123456789012345678901234567890\n"))
	c, s := reference(t, "123456789012345678901234567890")
	objects["today/big.log"] = want{count: c, sum: s}
	srv.Put(t, "data", "today/bad.log", []byte("1\n2\nthree\n"))
	objects["today/bad.log"] = want{fail: `InvalidContentError: line 3 (byte 4): not an integer: "three"`}
	srv.Put(t, "data", "today/empty.log", nil)
	objects["today/empty.log"] = want{sum: new(big.Int)}
	srv.Put(t, "data", "today/sub/", []byte("12\n")) // a folder marker: never read
	objects["today/sub/"] = want{sum: new(big.Int)}
	srv.Put(t, "data", "today/denied.log", []byte("5\n"))
	srv.Hook("data", "today/denied.log", s3test.Fail(http.StatusForbidden, "AccessDenied"))
	objects["today/denied.log"] = want{fail: "AccessDeniedError: access denied: "}
	srv.Put(t, "data", "today/gone.log", []byte("5\n")) // deleted after listing
	srv.Hook("data", "today/gone.log", s3test.Fail(http.StatusNotFound, "NoSuchKey"))
	objects["today/gone.log"] = want{fail: "ObjectNotFoundError: object not found"}
	srv.Put(t, "data", "todays/other.log", []byte("7\n")) // not under the prefix "today/"

	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range objects {
			if !yield(k) {
				return
			}
		}
	})
	var wantOut, wantErr strings.Builder
	total, count, failed := new(big.Int), int64(0), 0
	var wantResults []job.ObjectResult
	var wantFailed []job.Failure
	for _, k := range keys {
		w := objects[k]
		if w.fail != "" {
			fmt.Fprintf(&wantErr, "s3://data/%s\t%s\n", k, w.fail)
			name, cause, _ := strings.Cut(w.fail, ": ")
			wantFailed = append(wantFailed, job.Failure{Bucket: "data", Key: k, Error: name, Cause: cause})
			failed++
			continue
		}
		fmt.Fprintf(&wantOut, "s3://data/%s\t%d\t%s\n", k, w.count, w.sum)
		wantResults = append(wantResults, job.ObjectResult{Bucket: "data", Key: k, Count: w.count, SumOfSquares: w.sum.String()})
		total.Add(total, w.sum)
		count += w.count
	}
	fmt.Fprintf(&wantOut, "total\t%d\t%s\n", count, total)
	fmt.Fprintf(&wantErr, "sumsq: %d objects listed: %d summed, %d failed, 0 skipped\n", len(keys), len(keys)-failed, failed)

	stdout, stderr, status := sumsqCmd(t, "", "run", "s3://data/today/")
	if stdout != wantOut.String() || status != 1 {
		t.Errorf("sumsq run s3://data/today/ = status %d, stdout:\n%.2000s\nwant 1, stdout:\n%.2000s", status, stdout, wantOut.String())
	}
	// The AccessDenied failure's message holds the SDK's error: compare
	// its start only.
	gotErr := strings.Split(stderr, "\n")
	for i, w := range strings.Split(wantErr.String(), "\n") {
		if i >= len(gotErr) || !strings.HasPrefix(gotErr[i], w) {
			t.Errorf("stderr:\n%s\nwant lines starting with:\n%s", stderr, wantErr.String())
			break
		}
	}
	if n := srv.Requests("GET", "data", ""); n != 2 {
		t.Errorf("listed %d keys in %d requests; want 2 pages", len(keys), n)
	}
	if n := srv.Requests("GET", "data", "today/sub/") + srv.Requests("GET", "data", "today/empty.log"); n != 0 {
		t.Errorf("empty objects and folder markers were read %d times; want 0", n)
	}

	// The same with -json, field by field.
	stdout, _, status = sumsqCmd(t, "", "run", "-json", "-c", "32", "s3://data/today/")
	var got job.BatchResult
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || status != 1 {
		t.Fatalf("sumsq run -json s3://data/today/ = status %d, %v; want 1, a BatchResult", status, err)
	}
	if !slices.Equal(got.Results, wantResults) {
		t.Errorf("results: got %d, want %d, first difference:", len(got.Results), len(wantResults))
		for i := range min(len(got.Results), len(wantResults)) {
			if got.Results[i] != wantResults[i] {
				t.Errorf("results[%d] = %+v; want %+v", i, got.Results[i], wantResults[i])
				break
			}
		}
	}
	if got.Objects != int64(len(wantResults)) || got.Count != count || got.SumOfSquares != total.String() || got.FailedObjects != int64(failed) {
		t.Errorf("objects, count, sumOfSquares, failedObjects = %d, %d, %s, %d; want %d, %d, %s, %d",
			got.Objects, got.Count, got.SumOfSquares, got.FailedObjects, len(wantResults), count, total, failed)
	}
	if len(got.Failed) != len(wantFailed) {
		t.Fatalf("failed = %+v; want %+v", got.Failed, wantFailed)
	}
	for i, f := range got.Failed {
		w := wantFailed[i]
		if f.Bucket != w.Bucket || f.Key != w.Key || f.Error != w.Error || !strings.HasPrefix(f.Cause, w.Cause) {
			t.Errorf("failed[%d] = %+v; want %+v (cause as a prefix)", i, f, w)
		}
	}
}

func TestRunS3Targets(t *testing.T) {
	srv := s3test.NewServer(t, "data", "empty")
	s3TestEnv(t, srv)
	srv.Put(t, "data", "a/1.log", []byte("1\n"))
	srv.Put(t, "data", "a/2.log", []byte("2\n"))
	srv.Put(t, "data", "b/3.log", []byte("3\n"))
	// The workflow's results, which a run over the whole bucket lists.
	srv.Put(t, "data", "results/run-1/manifest.json", []byte("10\n"))
	srv.Put(t, "data", "results/run-1/SUCCEEDED_0.json", []byte("20\n"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"local.log": "4\n"})
	local := filepath.Join(dir, "local.log")

	const skippedResults = " skipped under results/, where the workflow writes its results (-results-prefix \"\" reads them)\n"
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string
		status         int
	}{
		{"whole bucket", []string{"s3://data"},
			"s3://data/a/1.log\t1\t1\ns3://data/a/2.log\t1\t4\ns3://data/b/3.log\t1\t9\ntotal\t3\t14\n",
			"sumsq: 5 objects listed: 3 summed, 0 failed, 2" + skippedResults, 0},
		{"a prefix that holds results/", []string{"s3://data/re"}, "total\t0\t0\n", "sumsq: 2 objects listed: 0 summed, 0 failed, 2" + skippedResults, 0},
		{"everything", []string{"s3://data/", "-results-prefix", ""},
			"s3://data/a/1.log\t1\t1\ns3://data/a/2.log\t1\t4\ns3://data/b/3.log\t1\t9\n" +
				"s3://data/results/run-1/SUCCEEDED_0.json\t1\t400\ns3://data/results/run-1/manifest.json\t1\t100\ntotal\t5\t514\n", "", 0},
		{"another results prefix", []string{"-results-prefix", "b/", "s3://data/"},
			"s3://data/a/1.log\t1\t1\ns3://data/a/2.log\t1\t4\ns3://data/results/run-1/SUCCEEDED_0.json\t1\t400\n" +
				"s3://data/results/run-1/manifest.json\t1\t100\ntotal\t4\t505\n",
			"sumsq: 5 objects listed: 4 summed, 0 failed, 1 skipped under b/, where the workflow writes its results (-results-prefix \"\" reads them)\n", 0},
		{"json", []string{"-json", "s3://data/r"}, "{\"results\":[\n],\n\"objects\":0,\"count\":0,\"sumOfSquares\":\"0\",\"failedObjects\":0,\"failed\":[\n],\"skippedObjects\":2}\n",
			"sumsq: 2 objects listed: 0 summed, 0 failed, 2" + skippedResults, 0},
		{"prefix without slash", []string{"s3://data/a/2"}, "s3://data/a/2.log\t1\t4\ntotal\t1\t4\n", "", 0},
		{"mixed with local files and stdin, in order", []string{local, "s3://data/b/", "-", "s3://data/a/1.log"},
			local + "\t1\t16\ns3://data/b/3.log\t1\t9\n-\t1\t25\ns3://data/a/1.log\t1\t1\ntotal\t4\t51\n", "", 0},
		// As "aws s3 ls" (https://github.com/aws/aws-cli/pull/1008) and
		// s5cmd's ls fail when nothing matched: a typo, most often.
		{"nothing under the prefix", []string{"s3://data/c/"}, "total\t0\t0\n", "sumsq: s3://data/c/: no objects under this prefix\n", 1},
		{"a prefix in the wrong case", []string{"s3://data/A/", "-json", "-summary"},
			"{\"results\":[\n],\n\"objects\":0,\"count\":0,\"sumOfSquares\":\"0\",\"failedObjects\":0,\"failed\":[\n]}\n",
			"sumsq: s3://data/A/: no objects under this prefix\n", 1},
		{"one of two prefixes", []string{"s3://data/b/", "s3://data/bb/"}, "s3://data/b/3.log\t1\t9\ntotal\t1\t9\n",
			"sumsq: s3://data/bb/: no objects under this prefix\n", 1},
		{"empty bucket", []string{"s3://empty/"}, "total\t0\t0\n", "sumsq: s3://empty/: no objects in this bucket\n", 1},
		{"empty bucket, no slash", []string{"s3://empty"}, "total\t0\t0\n", "sumsq: s3://empty: no objects in this bucket\n", 1},
		{"no such bucket", []string{local, "s3://nope/x/", "s3://data/a/"}, local + "\t1\t16\n",
			"sumsq: listing s3://nope/x/: operation error S3: ListObjectsV2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, "5\n", append([]string{"run"}, tt.args...)...)
			if stdout != tt.stdout || !strings.HasPrefix(stderr, tt.stderr) || (tt.stderr == "") != (stderr == "") || status != tt.status {
				t.Errorf("sumsq run %q = status %d, stdout %q, stderr %q; want %d, %q, stderr starting with %q",
					tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestRunS3Config(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	t.Setenv(s3store.PathStyleEnv, "yes please")
	_, stderr, status := sumsqCmd(t, "", "run", "s3://data/")
	if want := "sumsq: S3_FORCE_PATH_STYLE=\"yes please\": want true or false\n"; stderr != want || status != 1 {
		t.Errorf("sumsq run with a bad %s = status %d, stderr %q; want 1, %q", s3store.PathStyleEnv, status, stderr, want)
	}
	t.Setenv(s3store.PathStyleEnv, "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, stderr, status = sumsqCmd(t, "", "run", "s3://data/")
	if want := "sumsq: no AWS credentials found: "; !strings.HasPrefix(stderr, want) || status != 1 {
		t.Errorf("sumsq run without credentials = status %d, stderr %q; want 1, %q...", status, stderr, want)
	}
}

// -endpoint-url, -profile and -region, as the AWS CLI names them, win over
// the environment and the configuration files.
func TestRunAWSFlags(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	srv.Put(t, "data", "a/1.log", []byte("3\n"))
	// The region a request was signed for is in its credential scope.
	var scopes []string
	srv.Hook("data", "", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if _, scope, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
			scope, _, _ = strings.Cut(scope, ",")
			scopes = append(scopes, scope)
		}
		next.ServeHTTP(w, r)
	})
	dir := t.TempDir()
	config, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	writeFiles(t, dir, map[string]string{
		"config":      "[profile tester]\nregion = ap-south-2\n",
		"credentials": "[tester]\naws_access_key_id = AKIDTESTER\naws_secret_access_key = secret\n",
	})
	const ok = "s3://data/a/1.log\t1\t9\ntotal\t1\t9\n"
	tests := []struct {
		name           string
		env            map[string]string
		args           []string
		stdout, stderr string
		status         int
		scope          string // a part of the last request's credential scope
	}{
		{"-endpoint-url over AWS_ENDPOINT_URL_S3",
			map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}, []string{"-endpoint-url", srv.URL}, ok, "", 0, "test/"},
		{"-endpoint-url over AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
			map[string]string{"AWS_ENDPOINT_URL_S3": "", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, []string{"-endpoint-url", srv.URL}, ok, "", 0, "test/"},
		{"-profile: its credentials and region",
			map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": ""}, []string{"-profile", "tester"}, ok, "", 0,
			"AKIDTESTER/20"},
		{"-profile's region", map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": ""}, []string{"-profile", "tester"}, ok, "", 0,
			"/ap-south-2/s3/aws4_request"},
		{"-region over AWS_REGION", map[string]string{"AWS_REGION": "us-west-2"}, []string{"-region", "eu-west-3"}, ok, "", 0,
			"/eu-west-3/s3/aws4_request"},
		{"-region over the profile's", map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": ""},
			[]string{"-profile", "tester", "-region", "eu-west-3"}, ok, "", 0, "/eu-west-3/s3/aws4_request"},
		{"no such profile", nil, []string{"-profile", "nope"}, "", "sumsq: loading the AWS configuration: failed to get shared config profile, nope\n", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			scopes = nil
			stdout, stderr, status := sumsqCmd(t, "", append(append([]string{"run"}, tt.args...), "s3://data/a/")...)
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq run %q = status %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
			if tt.scope != "" && (len(scopes) == 0 || !strings.Contains(scopes[len(scopes)-1], tt.scope)) {
				t.Errorf("sumsq run %q signed its listing with %q; want %q in it", tt.args, scopes, tt.scope)
			}
		})
	}
}

// -summary prints the total only; with -json, the document without
// per-object results, "resultsOmitted" saying how many were left out.
func TestRunSummary(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	for i := range 5 {
		srv.Put(t, "data", fmt.Sprintf("a/%d.log", i), []byte(fmt.Sprintf("%d\n", i)))
	}
	srv.Put(t, "data", "a/bad.log", []byte("x\n"))
	srv.Put(t, "data", "a/results/run/manifest.json", []byte("{}\n"))
	tests := []struct {
		args           []string
		stdout, stderr string
	}{
		{[]string{"-summary", "s3://data/a/", "-results-prefix", "a/results/"}, "total\t5\t30\n",
			"s3://data/a/bad.log\tInvalidContentError: line 1 (byte 0): not an integer: \"x\"\n" +
				"sumsq: 7 objects listed: 5 summed, 1 failed, 1 skipped under a/results/, where the workflow writes its results (-results-prefix \"\" reads them)\n"},
		{[]string{"-summary", "-json", "s3://data/a/", "-results-prefix", "a/results/"},
			"{\"results\":[\n],\n\"resultsOmitted\":5,\"objects\":5,\"count\":5,\"sumOfSquares\":\"30\",\"failedObjects\":1,\"failed\":[\n" +
				"{\"bucket\":\"data\",\"key\":\"a/bad.log\",\"error\":\"InvalidContentError\",\"cause\":\"line 1 (byte 0): not an integer: \\\"x\\\"\"}\n],\"skippedObjects\":1}\n",
			"sumsq: 7 objects listed: 5 summed, 1 failed, 1 skipped under a/results/, where the workflow writes its results (-results-prefix \"\" reads them)\n"},
	}
	for _, tt := range tests {
		stdout, stderr, status := sumsqCmd(t, "", append([]string{"run"}, tt.args...)...)
		if stdout != tt.stdout || stderr != tt.stderr || status != 1 {
			t.Errorf("sumsq run %q = status %d, stdout %q, stderr %q; want 1, %q, %q", tt.args, status, stdout, stderr, tt.stdout, tt.stderr)
		}
	}
	stdout, _, _ := sumsqCmd(t, "", "run", "-summary", "-json", "s3://data/a/")
	var got job.BatchResult
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || got.ResultsOmitted != 5 || len(got.Results) != 0 || got.Objects != 5 {
		t.Errorf("sumsq run -summary -json = %+v, %v; want a BatchResult with resultsOmitted 5 and no results", got, err)
	}
}
