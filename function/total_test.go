package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sumsq/sumsq/internal/s3test"
)

// The Map Runs of the total of the run in testdata/s3: the data Map Run
// (SumObjects), and the TotalParts and SumLargeObjects Map Runs after it.
const (
	dataRunID  = "0f8a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	dataRunArn = "arn:aws:states:us-east-1:123456789012:mapRun:sumsq-sumsq/SumObjects:" + dataRunID
	partsRunID = "5d2b9c40-7e1a-4c3b-9f0e-2a6b8c4d1e3f"
	largeRunID = "9b7e3d10-2c4f-4a5e-8b6d-1f0e9a8c7b6d"
)

// mapRunOf is the input the workflow gives for a Map Run of id, items
// items: its ARN, where it wrote its results, and its count.
func mapRunOf(label, id string, items int) string {
	return fmt.Sprintf(`{"MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:sumsq-sumsq/%s:%s", `+
		`"ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/%s/manifest.json"}, "ItemCounts": {"Total": %d}}`, label, id, id, items)
}

// putResults stores a Map Run's results as its ResultWriter writes them
// (COMPACT, JSONL): the outputs of its children, a line each, in
// SUCCEEDED_0.json, and the manifest.
func putResults(t *testing.T, srv *s3test.Server, label, id string, outputs [][]byte) {
	t.Helper()
	body := append(bytes.Join(outputs, []byte("\n")), '\n')
	succeeded := fmt.Sprintf(`[{"Key": "results/%s/SUCCEEDED_0.json", "Size": %d}]`, id, len(body))
	if len(outputs) == 0 {
		succeeded = "[]"
	} else {
		srv.Put(t, bucket, "results/"+id+"/SUCCEEDED_0.json", body)
	}
	srv.Put(t, bucket, "results/"+id+"/manifest.json", []byte(fmt.Sprintf(
		`{"DestinationBucket": "my-bucket", "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:sumsq-sumsq/%s:%s", `+
			`"ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": %s}}`, label, id, succeeded)))
}

// getObject returns the object key of the test bucket.
func getObject(t *testing.T, srv *s3test.Server, key string) []byte {
	t.Helper()
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandleTotal runs the total of the run in testdata/s3 through the
// handler, one event shape after the other, as the workflow sends them
// (statemachine.asl.json: PlanTotal, a TotalPart per line of the plan,
// Gather, Total), and checks each answer whole.
func TestHandleTotal(t *testing.T) {
	srv := newTestServer(t)
	h := newTestHandler(srv, testConfig(t))
	ctx := context.Background()
	invoke := func(t *testing.T, event string, want string) []byte {
		t.Helper()
		got, err := h.Invoke(ctx, []byte(event))
		if err != nil || (want != "" && string(got) != want) {
			t.Fatalf("Invoke(%.300s) =\n%s, %v\nwant\n%s, nil", event, got, err, want)
		}
		return got
	}
	data := mapRunOf("SumObjects", dataRunID, 6)
	dir := "results/" + dataRunID + "/"

	// PlanTotal: SUCCEEDED_0.json (742 bytes: records of 449 and 293) and
	// FAILED_0.json (927: one record) in parts of at most 449 bytes.
	plan := invoke(t, `{"PlanTotal": `+data+`, "PartBytes": 449}`,
		`{"Bucket":"my-bucket","Key":"`+dir+`total-plan.jsonl","Parts":5,"MapRunArn":"`+dataRunArn+`"}`)
	wantPlan := []string{
		`{"bucket":"my-bucket","key":"` + dir + `SUCCEEDED_0.json","status":"SUCCEEDED","size":742,"start":0,"end":449,"index":0}`,
		`{"bucket":"my-bucket","key":"` + dir + `SUCCEEDED_0.json","status":"SUCCEEDED","size":742,"start":449,"end":742,"index":1}`,
		`{"bucket":"my-bucket","key":"` + dir + `FAILED_0.json","status":"FAILED","size":927,"start":0,"end":449,"index":2}`,
		`{"bucket":"my-bucket","key":"` + dir + `FAILED_0.json","status":"FAILED","size":927,"start":449,"end":898,"index":3}`,
		`{"bucket":"my-bucket","key":"` + dir + `FAILED_0.json","status":"FAILED","size":927,"start":898,"end":927,"index":4}`,
	}
	parts := strings.Split(strings.TrimSuffix(string(getObject(t, srv, dir+"total-plan.jsonl")), "\n"), "\n")
	if strings.Join(parts, "\n") != strings.Join(wantPlan, "\n") {
		t.Fatalf("total-plan.jsonl:\n%s\nwant\n%s", strings.Join(parts, "\n"), strings.Join(wantPlan, "\n"))
	}

	// TotalPart: a part owns the records that begin in it, the second of
	// SUCCEEDED_0.json at its first byte; the one record of FAILED_0.json
	// begins in part 2, none in parts 3 and 4.
	badLog := `{"bucket":"my-bucket","key":"today/bad.log","error":"InvalidContentError","cause":"line 3 (byte 4): not an integer: \"seven\""}`
	random5 := `{"bucket":"my-bucket","key":"today/random_5.log","error":"S3UnavailableError",` +
		`"cause":"s3://my-bucket/today/random_5.log: S3 unavailable: operation error S3: GetObject, exceeded maximum number of attempts, 3, ` +
		`https response error StatusCode: 503, RequestID: 4GZ1T8SV7J9KQ2XH, api error SlowDown: Please reduce your request rate."}`
	wantPartials := []string{
		`{"index":0,"objects":3,"count":11,"sumOfSquares":"15241578753238836750495351562536198787501905199875020309177","failedObjects":0,"failed":[],"skippedObjects":0,"deferredObjects":0}`,
		`{"index":1,"objects":1,"count":2,"sumOfSquares":"25","failedObjects":1,"failed":[` + badLog + `],"skippedObjects":0,"deferredObjects":0,"failuresKey":"` + dir + `failed/000001.jsonl"}`,
		`{"index":2,"objects":0,"count":0,"sumOfSquares":"0","failedObjects":1,"failed":[` + random5 + `],"skippedObjects":0,"deferredObjects":0,"failuresKey":"` + dir + `failed/000002.jsonl"}`,
		`{"index":3,"objects":0,"count":0,"sumOfSquares":"0","failedObjects":0,"failed":[],"skippedObjects":0,"deferredObjects":0}`,
		`{"index":4,"objects":0,"count":0,"sumOfSquares":"0","failedObjects":0,"failed":[],"skippedObjects":0,"deferredObjects":0}`,
	}
	var partials [][]byte
	for i, p := range parts {
		partials = append(partials, invoke(t, `{"TotalPart": `+p+`}`, wantPartials[i]))
	}
	for key, want := range map[string]string{"failed/000001.jsonl": badLog + "\n", "failed/000002.jsonl": random5 + "\n"} {
		if got := getObject(t, srv, dir+key); string(got) != want {
			t.Errorf("%s:\n%s\nwant\n%s", key, got, want)
		}
	}

	// Gather: the parts added up; no object was set aside, so no range.
	putResults(t, srv, "TotalParts", partsRunID, partials)
	subtotal := `{"objects":4,"count":13,"sumOfSquares":"15241578753238836750495351562536198787501905199875020309202",` +
		`"failedObjects":2,"failed":[` + badLog + `,` + random5 + `],"failuresLocation":"s3://my-bucket/` + dir + `failed/",` +
		`"skippedObjects":0,"deferredObjects":0,"mapRun":{"MapRunArn":"` + dataRunArn + `",` +
		`"ResultWriterDetails":{"Bucket":"my-bucket","Key":"` + dir + `manifest.json"},"ItemCounts":{"Total":6}}}`
	gathered := invoke(t, `{"Gather": `+mapRunOf("TotalParts", partsRunID, 5)+`, "Objects": `+data+`, "Plan": `+string(plan)+`, "SplitBytes": 1048576}`,
		`{"Partial":`+subtotal+`,"Ranges":{"Bucket":"my-bucket","Key":"`+dir+`ranges.jsonl","Count":0}}`)
	if got := getObject(t, srv, dir+"ranges.jsonl"); len(got) != 0 {
		t.Errorf("ranges.jsonl: %q; want empty", got)
	}

	// Total: Gather's subtotal, and a SumLargeObjects Map Run of no item.
	var g struct{ Partial json.RawMessage }
	if err := json.Unmarshal(gathered, &g); err != nil {
		t.Fatal(err)
	}
	putResults(t, srv, "SumLargeObjects", largeRunID, nil)
	ranges := strings.TrimSuffix(mapRunOf("SumLargeObjects", largeRunID, 0), "}") + `, "Count": 0}`
	invoke(t, `{"Total": `+string(g.Partial)+`, "Ranges": `+ranges+`, "ToleratedFailurePercentage": 50}`, totalOutput)

	// The same, tolerating less: the failure files are written, and the
	// error names them.
	_, err := h.Invoke(ctx, []byte(`{"Total": `+string(g.Partial)+`, "Ranges": `+ranges+`, "ToleratedFailurePercentage": 10}`))
	if want := "2 of 6 objects failed"; err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "s3://my-bucket/"+dir+"failed/") {
		t.Errorf("Total tolerating 10%%: %v; want a TooManyFailuresError containing %q and the folder of the failures", err, want)
	}
}
