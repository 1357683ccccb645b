"""The twin running a state machine of the shape the workflow grows into:
several Distributed Maps, one over a listing or an S3 Inventory report, two
over JSON Lines files that a state before them writes, DescribeMapRun after
each, values carried in variables, and a redrive of a later Map.

    CheckInput (Choice) -> SumObjects (s3:listObjectsV2)
                        or SumInventory (s3:getObject, MANIFEST)
    -> CountObjects (aws-sdk:sfn:describeMapRun) -> PlanTotal (writes a JSONL file)
    -> TotalParts (s3:getObject, JSONL, STANDARD children) -> CountTotalParts
    -> Gather (writes a JSONL file, possibly empty)
    -> SumLargeObjects (s3:getObject, JSONL, STANDARD children) -> CountLargeParts -> Total

Every Map batches its items and writes its results (ResultWriter, COMPACT,
JSONL) under results/. The Lambda functions are stood in for by AWS SDK
integrations (s3:putObject writes the plans, s3:headObject fails a child
whose object is missing) and Pass states. JSONata throughout: the tests
need the engine (TWIN_JSONATA_DIR, see test_twin_interpreter.py).
"""

import gzip
import json
import unittest
import uuid

from test_twin_interpreter import BUCKET, JSONATA_DIR, TwinCase, inventory_csv

W = {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": BUCKET, "Prefix": "results"},
     "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}}


def dmap(label, reader, children, execution_type, then, **fields):
    """A Distributed Map of the shape: batches of 2, results written."""
    return {
        "Type": "Map", "Label": label, "ItemReader": reader, "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type}, **children},
        "ResultWriter": W, "Next": then, **fields,
    }


def count(run_variable, then, assign):
    """DescribeMapRun of the Map Run a variable names."""
    return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeMapRun",
            "Arguments": {"MapRunArn": "{% $" + run_variable + " %}"},
            "Assign": {assign: "{% $states.result.ItemCounts.Total %}"}, "Next": then}


def put_jsonl(key, lines, then, assign):
    """A stand-in for a function that writes a JSON Lines file of work
    items: lines is a JSONata expression giving the items, possibly none
    (an empty file)."""
    return {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Arguments": {"Bucket": BUCKET, "Key": key,
                          "Body": "{% ($lines := " + lines + "; $count($lines) = 0 ? '' : "
                                  "$join($map($lines, function($v) { $string($v) & '\\n' }))) %}"},
            "Assign": {assign: key}, "Next": then}


def jsonl_reader(variable):
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
            "Arguments": {"Bucket": BUCKET, "Key": "{% $" + variable + " %}"}}


# A batch's child: the sum of its items' n.
SUM_BATCH = {"StartAt": "{name}", "States": {"{name}": {
    "Type": "Pass", "Output": "{% {'n': $sum($states.input.Items.n), 'items': $count($states.input.Items)} %}", "End": True}}}


def summing(name):
    return json.loads(json.dumps(SUM_BATCH).replace("{name}", name))


# A batch's child that needs each item's object to exist (s3:headObject),
# so that a test fails it and then, by putting the object, lets a redrive
# succeed.
CHECK_LARGE = {"StartAt": "CheckLarge", "States": {
    "CheckLarge": {"Type": "Map", "Items": "{% $states.input.Items %}", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Head", "States": {
            "Head": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                     "Arguments": {"Bucket": BUCKET, "Key": "{% $states.input.key %}"},
                     "Output": "{% {'key': $states.input.key, 'n': $states.result.ContentLength} %}", "End": True}}},
        "Output": "{% {'n': $sum($states.result.n), 'items': $count($states.result)} %}", "End": True}}}


MACHINE = {
    "QueryLanguage": "JSONata",
    "StartAt": "CheckInput",
    "States": {
        "CheckInput": {"Type": "Choice", "Choices": [
            {"Condition": "{% $exists($states.input.prefix) %}", "Next": "SumObjects",
             "Assign": {"prefix": "{% $states.input.prefix %}"}},
            {"Condition": "{% $exists($states.input.manifest) %}", "Next": "SumInventory",
             "Assign": {"manifest": "{% $states.input.manifest %}"}}],
            "Assign": {"large": "{% $states.input.large %}"}, "Default": "InvalidInput"},
        "InvalidInput": {"Type": "Fail", "Error": "InvalidInput"},
        "SumObjects": dmap(
            "SumObjects", {"Resource": "arn:aws:states:::s3:listObjectsV2",
                           "Arguments": {"Bucket": BUCKET, "Prefix": "{% $prefix %}"}},
            summing("SumBatch"), "EXPRESS", "CountObjects",
            ItemSelector={"key": "{% $states.context.Map.Item.Value.Key %}",
                          "n": "{% $states.context.Map.Item.Value.Size %}"},
            Assign={"sumRun": "{% $states.result.MapRunArn %}"}),
        "SumInventory": dmap(
            "SumInventory", {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
                             "Arguments": {"Bucket": BUCKET, "Key": "{% $manifest %}"}},
            summing("SumInventoryBatch"), "EXPRESS", "CountObjects",
            ItemSelector={"key": "{% $states.context.Map.Item.Value.Key %}",
                          "n": "{% $number($states.context.Map.Item.Value.Size) %}"},
            Assign={"sumRun": "{% $states.result.MapRunArn %}"}),
        "CountObjects": count("sumRun", "PlanTotal", "objects"),
        "PlanTotal": put_jsonl("{% 'plans/' & $states.context.Execution.Name & '/total.jsonl' %}",
                               "$map([1..$ceil($objects / 2)], function($v) { {'n': $v} })", "TotalParts", "totalPlan"),
        "TotalParts": dmap("TotalParts", jsonl_reader("totalPlan"), summing("SumParts"), "STANDARD", "CountTotalParts",
                           Assign={"totalRun": "{% $states.result.MapRunArn %}"}),
        "CountTotalParts": count("totalRun", "Gather", "parts"),
        "Gather": put_jsonl("{% 'plans/' & $states.context.Execution.Name & '/large.jsonl' %}",
                            "$map($large, function($v) { {'key': $v} })", "SumLargeObjects", "largePlan"),
        "SumLargeObjects": dmap("SumLargeObjects", jsonl_reader("largePlan"), CHECK_LARGE, "STANDARD", "CountLargeParts",
                                Assign={"largeRun": "{% $states.result.MapRunArn %}"}),
        "CountLargeParts": count("largeRun", "Total", "largeParts"),
        "Total": {"Type": "Pass", "End": True, "Output": {
            "objects": "{% $objects %}", "parts": "{% $parts %}", "largeParts": "{% $largeParts %}",
            "runs": "{% [$sumRun, $totalRun, $largeRun] %}"}},
    },
}


@unittest.skipUnless(JSONATA_DIR, "TWIN_JSONATA_DIR is not set: no JSONata engine")
class ShapeTest(TwinCase):
    KEYS = [f"today/{i:02d}.log" for i in range(7)]

    def setUp(self):
        super().setUp()
        self.put(self.KEYS)  # 2 bytes each
        self.s3.put_object(Bucket=BUCKET, Key="big/a.bin", Body=b"x" * 100)
        self.s3.put_object(Bucket=BUCKET, Key="big/b.bin", Body=b"x" * 250)

    def results(self, run_arn):
        """The Map Run's result records (COMPACT: the children's outputs)."""
        run_id = run_arn.rsplit(":", 1)[-1]
        manifest = json.loads(self.get(f"results/{run_id}/manifest.json"))
        self.assertEqual(manifest["MapRunArn"], run_arn)
        records = {}
        for group, files in manifest["ResultFiles"].items():
            for f in files:
                self.assertTrue(f["Key"].startswith(f"results/{run_id}/"))
                records.setdefault(group, []).extend(json.loads(line) for line in self.get(f["Key"]).splitlines())
        return records

    def counts(self, run_arn):
        d = self.sfn.describe_map_run(mapRunArn=run_arn)
        return d["itemCounts"]["total"], d["executionCounts"]["total"], d["itemCounts"]["succeeded"], d["redriveCount"]

    def check_runs(self, execution_arn, out, want_counts):
        """Three Map Runs, each its label's, its counts, its own results."""
        listed = [r["mapRunArn"] for r in self.sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]]
        self.assertEqual(sorted(listed), sorted(out["runs"]))
        labels = [r.split(":mapRun:")[1].split("/")[1].split(":")[0] for r in out["runs"]]
        self.assertEqual(labels[1:], ["TotalParts", "SumLargeObjects"])
        self.assertEqual(len({r.rsplit(":", 1)[-1] for r in out["runs"]}), 3)
        self.assertEqual([self.counts(r) for r in out["runs"]], want_counts)
        return labels[0]

    def test_prefix(self):
        ex = self.start({"prefix": "today/", "large": ["big/a.bin", "big/b.bin"]})
        out = self.output(self.wait(ex))
        self.assertEqual({k: out[k] for k in ("objects", "parts", "largeParts")}, {"objects": 7, "parts": 4, "largeParts": 2})
        first = self.check_runs(ex, out, [(7, 4, 7, 0), (4, 2, 4, 0), (2, 1, 2, 0)])
        self.assertEqual(first, "SumObjects")
        self.assertEqual(sum(r["n"] for r in self.results(out["runs"][0])["SUCCEEDED"]), 14)
        self.assertEqual(sum(r["n"] for r in self.results(out["runs"][1])["SUCCEEDED"]), 10)  # 1 + 2 + 3 + 4
        self.assertEqual(self.results(out["runs"][2])["SUCCEEDED"], [{"n": 350, "items": 2}])
        # The plans the stand-ins wrote, read back.
        self.assertEqual(self.get(f"plans/{ex.rsplit(':', 1)[-1]}/total.jsonl").decode(),
                         '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n')

    def test_inventory_and_no_large_objects(self):
        # An S3 Inventory report of the same objects, in two files; Gather
        # writes an empty file: the last Map Run has no items.
        rows = [(BUCKET, k, 2, "2026-12-05T10:00:00.000Z") for k in self.KEYS]
        entries = []
        for part in (rows[:4], rows[4:]):
            key = f"inventories/{BUCKET}/all/data/{uuid.uuid4()}.csv.gz"
            body = gzip.compress(inventory_csv(part))
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            entries.append({"key": key, "size": len(body), "MD5checksum": "0"})
        manifest = f"inventories/{BUCKET}/all/2026-12-06T01-00Z/manifest.json"
        self.s3.put_object(Bucket=BUCKET, Key=manifest, Body=json.dumps({
            "sourceBucket": BUCKET, "destinationBucket": f"arn:aws:s3:::{BUCKET}", "version": "2016-11-30",
            "creationTimestamp": "1796518800000", "fileFormat": "CSV",
            "fileSchema": "Bucket, Key, Size, LastModifiedDate", "files": entries}).encode())
        ex = self.start({"manifest": manifest, "large": []})
        out = self.output(self.wait(ex))
        self.assertEqual({k: out[k] for k in ("objects", "parts", "largeParts")}, {"objects": 7, "parts": 4, "largeParts": 0})
        first = self.check_runs(ex, out, [(7, 4, 7, 0), (4, 2, 4, 0), (0, 0, 0, 0)])
        self.assertEqual(first, "SumInventory")
        self.assertEqual(sum(r["n"] for r in self.results(out["runs"][0])["SUCCEEDED"]), 14)
        self.assertEqual(self.results(out["runs"][2]), {})
        self.assertEqual(self.get(f"plans/{ex.rsplit(':', 1)[-1]}/large.jsonl"), b"")

    def test_redrive_of_a_later_map(self):
        # SumLargeObjects fails (an object is missing, nothing tolerated);
        # the redrive re-runs its failed batch only: the Map Runs before it
        # are not run again, the variables they left are still there.
        self.s3.delete_object(Bucket=BUCKET, Key="big/b.bin")
        ex = self.start({"prefix": "today/", "large": ["big/a.bin", "big/c.bin", "big/b.bin"]})
        d = self.wait(ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ExceedToleratedFailureThreshold"))
        before = {r["mapRunArn"]: r for r in self.sfn.list_map_runs(executionArn=ex)["mapRuns"]}
        self.assertEqual(len(before), 3)

        self.s3.put_object(Bucket=BUCKET, Key="big/b.bin", Body=b"x" * 250)
        self.s3.put_object(Bucket=BUCKET, Key="big/c.bin", Body=b"x" * 5)
        self.sfn.redrive_execution(executionArn=ex)
        out = self.output(self.wait(ex))
        self.assertEqual({k: out[k] for k in ("objects", "parts", "largeParts")}, {"objects": 7, "parts": 4, "largeParts": 3})
        self.assertEqual(sorted(out["runs"]), sorted(before))  # the same three Map Runs
        self.check_runs(ex, out, [(7, 4, 7, 0), (4, 2, 4, 0), (3, 2, 3, 1)])
        for state, times in [("CheckInput", 1), ("SumObjects", 1), ("CountObjects", 1), ("PlanTotal", 1),
                             ("TotalParts", 1), ("Gather", 1), ("SumLargeObjects", 2), ("CountLargeParts", 1), ("Total", 1)]:
            self.assertEqual(self.entered(ex, state), times, state)
        self.assertEqual([r["n"] for r in self.results(out["runs"][2])["SUCCEEDED"]], [105, 250])

    def start(self, state_input):
        arn = self.create(MACHINE)
        self.n += 1
        return self.sfn.start_execution(stateMachineArn=arn, name=f"shape{self.n}", input=json.dumps(state_input))["executionArn"]


if __name__ == "__main__":
    unittest.main()
