"""Tests of the patched interpreter, in this process: moto's S3 and Step
Functions with the launcher's patches, executions of small state machines
whose children are Pass, Choice and Fail states (no Lambda).

JSONata needs the npm jsonata package: TWIN_JSONATA_DIR names the directory
holding node_modules/jsonata (TestLauncher sets it); without it the JSONata
tests are skipped.
"""

import json
import logging
import os
import time
import unittest

import boto3
from moto import mock_aws

import moto_launcher
import twin

HERE = os.path.dirname(os.path.abspath(__file__))
JSONATA_DIR = os.environ.get("TWIN_JSONATA_DIR")
ROLE = "arn:aws:iam::123456789012:role/twin"
BUCKET = "twin-data"

# The interpreter logs every failure it handles, which the tests cause.
logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)

moto_launcher.patch_state_machine_deepcopy()
if JSONATA_DIR:
    moto_launcher.patch_jsonata_engine(os.path.join(HERE, "jsonata_eval.js"), JSONATA_DIR)
twin.install()


def child(states=None):
    """A child workflow: its input is its output, unless states says otherwise."""
    return {"StartAt": "P", "States": states or {"P": {"Type": "Pass", "End": True}}}


def distributed(processor, execution_type="EXPRESS", **fields):
    processor = dict(processor, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": execution_type})
    return dict({"Type": "Map", "ItemProcessor": processor, "End": True}, **fields)


# A child that fails, with error Boom, when its batch's first item says so.
# (moto's Choice does not read "$.Items[0].fail": the Pass state copies the
# item first.)
FAILING = {"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Parameters": {"item.$": "$.Items[0]"}, "ResultPath": "$.first", "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.first.item.fail", "BooleanEquals": True, "Next": "F"}],
          "Default": "P"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "the item said so"},
    "P": {"Type": "Pass", "End": True},
}}


class TwinCase(unittest.TestCase):
    """moto in this process, with a bucket, and helpers to run state machines."""

    WRITER = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": BUCKET, "Prefix": "results"},
              "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}

    def setUp(self):
        self.mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self.mock.start()
        self.addCleanup(self.mock.stop)
        self.s3 = boto3.client("s3", region_name="us-east-1")
        self.sfn = boto3.client("stepfunctions", region_name="us-east-1")
        self.s3.create_bucket(Bucket=BUCKET)
        self.n = 0

    def put(self, keys):
        for k in keys:
            self.s3.put_object(Bucket=BUCKET, Key=k, Body=b"1\n")

    def create(self, definition):
        text = json.dumps(definition)
        arn = self.sfn.create_state_machine(name=f"m{id(definition)}", definition=text, roleArn=ROLE)["stateMachineArn"]
        # The stored definition is the one created, fields set aside included.
        self.assertEqual(self.sfn.describe_state_machine(stateMachineArn=arn)["definition"], text)
        return arn

    def execute(self, definition, state_input=None):
        arn = self.create(definition)
        self.n += 1
        ex = self.sfn.start_execution(stateMachineArn=arn, name=f"e{self.n}", input=json.dumps(state_input or {}))
        deadline = time.time() + 60
        while time.time() < deadline:
            d = self.sfn.describe_execution(executionArn=ex["executionArn"])
            if d["status"] != "RUNNING":
                return d
            time.sleep(0.05)
        self.fail("execution still running after 60 s")

    def output(self, d):
        self.assertEqual(d["status"], "SUCCEEDED", f"{d.get('error')}: {d.get('cause')}")
        return json.loads(d["output"])

    def get(self, key):
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def written(self, out):
        """The manifest the Map's output points to, and its files decoded."""
        self.assertEqual(set(out), {"MapRunArn", "ResultWriterDetails"})
        details = out["ResultWriterDetails"]
        run_id = out["MapRunArn"].rsplit(":", 1)[-1]
        self.assertEqual(details, {"Bucket": BUCKET, "Key": f"results/{run_id}/manifest.json"})
        manifest = json.loads(self.get(details["Key"]))
        self.assertEqual(manifest["DestinationBucket"], BUCKET)
        self.assertEqual(manifest["MapRunArn"], out["MapRunArn"])
        self.assertEqual(list(manifest["ResultFiles"]), ["FAILED", "PENDING", "SUCCEEDED"])
        files = {}
        for group, entries in manifest["ResultFiles"].items():
            for i, e in enumerate(entries):
                self.assertEqual(e["Key"], f"results/{run_id}/{group}_{i}.json")
                body = self.get(e["Key"])
                self.assertEqual(e["Size"], len(body))
                files.setdefault(group, []).extend(json.loads(body))
        return manifest, files

    def reader(self, prefix):
        return {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": BUCKET, "Prefix": prefix}}


class InterpreterTest(TwinCase):
    """JSONPath state machines: what moto runs without a JSONata engine."""

    def test_every_page_batched_and_written(self):
        keys = [f"today/{i:04d}.log" for i in range(2100)]
        self.put(keys + ["other/x.log"])
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=self.reader("today/"),
            ItemBatcher={"MaxItemsPerBatch": 100, "BatchInput": {"run": "r1"}},
            MaxConcurrency=3, ResultWriter=self.WRITER)}})
        manifest, files = self.written(self.output(d))
        self.assertEqual(set(files), {"SUCCEEDED"})
        batches = files["SUCCEEDED"]  # COMPACT: the children's outputs, here their inputs
        self.assertEqual(len(batches), 21)
        self.assertTrue(all(b["BatchInput"] == {"run": "r1"} and len(b["Items"]) == 100 for b in batches))
        items = [i for b in batches for i in b["Items"]]
        self.assertEqual([i["Key"] for i in items], keys)
        self.assertEqual(set(items[0]), {"Etag", "Key", "LastModified", "Size", "StorageClass"})
        # S3 itself still answers a page at a time.
        page = self.s3.list_objects_v2(Bucket=BUCKET, Prefix="today/")
        self.assertEqual((page["KeyCount"], page["IsTruncated"]), (1000, True))

    def test_empty_prefix(self):
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=self.reader("nothing/"), ItemBatcher={"MaxItemsPerBatch": 10}, ResultWriter=self.WRITER)}})
        manifest, files = self.written(self.output(d))
        self.assertEqual(manifest["ResultFiles"], {"FAILED": [], "PENDING": [], "SUCCEEDED": []})
        d = self.execute({"StartAt": "M", "States": {"M": distributed(child(), ItemReader=self.reader("nothing/"))}})
        self.assertEqual(self.output(d), [])

    def test_failed_batch_within_tolerance(self):
        items = [{"n": i, "fail": i in (4, 5)} for i in range(10)]
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            FAILING, ItemBatcher={"MaxItemsPerBatch": 2}, ToleratedFailurePercentage=20,
            MaxConcurrency=2, ResultWriter=self.WRITER)}}, items)
        _, files = self.written(self.output(d))
        self.assertEqual([len(b["Items"]) for b in files["SUCCEEDED"]], [2, 2, 2, 2])
        failed, = files["FAILED"]  # the batch whose first item fails, whole
        self.assertEqual((failed["Status"], failed["Error"], failed["Cause"]), ("FAILED", "Boom", "the item said so"))
        self.assertEqual(json.loads(failed["Input"]), {"Items": items[4:6]})
        self.assertIn(":express:", failed["ExecutionArn"])
        self.assertEqual(failed["RedriveStatus"], "NOT_REDRIVABLE")

    def test_over_tolerance(self):
        # Two of ten items fail (one batch of two): over 19 % and over a count
        # of 1, within 20 % and a count of 2.
        items = [{"n": i, "fail": i == 4} for i in range(10)]
        for name, tolerance, ok in [
            ("percentage 19", {"ToleratedFailurePercentage": 19}, False),
            ("percentage 20", {"ToleratedFailurePercentage": 20.0}, True),
            ("count 1", {"ToleratedFailureCount": 1}, False),
            ("count 2", {"ToleratedFailureCount": 2}, True),
            ("none declared", {}, False),
        ]:
            with self.subTest(name):
                m = distributed(FAILING, ItemBatcher={"MaxItemsPerBatch": 2}, MaxConcurrency=1,
                                ResultWriter=self.WRITER, **tolerance)
                m.pop("End")
                m["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
                m["Next"] = "Done"
                d = self.execute({"StartAt": "M", "States": {
                    "M": m, "Done": {"Type": "Succeed"}, "Caught": {"Type": "Pass", "End": True}}}, items)
                out = self.output(d)
                if ok:
                    self.assertIn("ResultWriterDetails", out)
                    continue
                self.assertEqual(out, {"Error": "States.ExceedToleratedFailureThreshold",
                                       "Cause": "The specified tolerated failure threshold was exceeded"})

    def test_no_child_starts_once_over(self):
        # MaxConcurrency 1, nothing tolerated, the first batch fails: the
        # others never start and are written as PENDING.
        items = [{"n": i, "fail": i == 0} for i in range(6)]
        arn = self.create({"StartAt": "M", "States": {"M": distributed(
            FAILING, ItemBatcher={"MaxItemsPerBatch": 2}, MaxConcurrency=1, ResultWriter=self.WRITER)}})
        ex = self.sfn.start_execution(stateMachineArn=arn, name="over", input=json.dumps(items))
        for _ in range(600):
            d = self.sfn.describe_execution(executionArn=ex["executionArn"])
            if d["status"] != "RUNNING":
                break
            time.sleep(0.05)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ExceedToleratedFailureThreshold"))
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix="results/").get("Contents", [])]
        manifest = json.loads(self.get(next(k for k in keys if k.endswith("manifest.json"))))
        self.assertEqual([len(manifest["ResultFiles"][g]) for g in ("FAILED", "PENDING", "SUCCEEDED")], [1, 1, 0])
        pending = json.loads(self.get(manifest["ResultFiles"]["PENDING"][0]["Key"]))
        self.assertEqual([json.loads(r["Input"]) for r in pending], [{"Items": items[2:4]}, {"Items": items[4:6]}])
        runs = self.sfn.list_map_runs(executionArn=ex["executionArn"])["mapRuns"]
        counts = self.sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["itemCounts"]
        self.assertEqual((counts["total"], counts["failed"]), (2, 2))

    def test_item_reader_failed(self):
        m = distributed(child(), ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2",
                                             "Parameters": {"Bucket": "no-such-bucket"}})
        m.pop("End")
        m["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        m["Next"] = "Caught"
        d = self.execute({"StartAt": "M", "States": {"M": m, "Caught": {"Type": "Pass", "End": True}}})
        out = self.output(d)
        self.assertEqual(out["Error"], "States.ItemReaderFailed")
        self.assertIn("NoSuchBucket", out["Cause"])

    def test_states_all_does_not_catch_runtime(self):
        # An item larger than MaxInputBytesPerBatch fails the run with
        # States.Runtime, which no Catch handles.
        m = distributed(child(), ItemBatcher={"MaxInputBytesPerBatch": 16})
        m.pop("End")
        m["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        m["Next"] = "Caught"
        d = self.execute({"StartAt": "M", "States": {"M": m, "Caught": {"Type": "Pass", "End": True}}},
                         [{"key": "x" * 100}])
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Runtime"))
        self.assertIn("MaxInputBytesPerBatch", d["cause"])

    def test_none_jsonl_standard(self):
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), execution_type="STANDARD", ItemBatcher={"MaxItemsPerBatch": 2},
            ResultWriter={**self.WRITER, "WriterConfig": {"Transformation": "NONE", "OutputType": "JSONL"}})}},
            [{"n": i} for i in range(3)])
        details = self.output(d)["ResultWriterDetails"]
        manifest = json.loads(self.get(details["Key"]))
        body = self.get(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]).decode()
        records = [json.loads(line) for line in body.splitlines()]
        self.assertEqual([json.loads(r["Output"]) for r in records], [{"Items": [{"n": 0}, {"n": 1}]}, {"Items": [{"n": 2}]}])
        self.assertTrue(all(":execution:" in r["ExecutionArn"] and r["Status"] == "SUCCEEDED" for r in records))

    def test_invalid_definition(self):
        m = distributed(child(), ResultWriter={**self.WRITER, "Comment": "not allowed here"})
        with self.assertRaisesRegex(self.sfn.exceptions.InvalidDefinition, "SCHEMA_VALIDATION_FAILED"):
            self.sfn.create_state_machine(name="bad", definition=json.dumps({"StartAt": "M", "States": {"M": m}}), roleArn=ROLE)


@unittest.skipUnless(JSONATA_DIR, "TWIN_JSONATA_DIR is not set: no JSONata engine")
class JSONataTest(TwinCase):
    """The deployed definition's shapes: JSONata ItemSelector, ItemBatcher
    values and ResultWriter Arguments."""

    def test_deployed_shapes(self):
        keys = [f"today/{i:03d}.log" for i in range(45)]
        self.put(keys)
        d = self.execute({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": distributed(
            child(),
            ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2",
                        "Arguments": {"Bucket": BUCKET, "Prefix": "{% $states.input.prefix %}"}},
            ItemSelector={"bucket": BUCKET, "key": "{% $states.context.Map.Item.Value.Key %}",
                          "size": "{% $number($states.context.Map.Item.Value.Size) %}"},
            ItemBatcher={"MaxItemsPerBatch": "{% $number('20') %}", "MaxInputBytesPerBatch": "{% $number('65536') %}",
                         "BatchInput": {"bucket": BUCKET, "prefix": "{% $states.input.prefix %}"}},
            MaxConcurrency="{% $number('2') %}", ToleratedFailurePercentage="{% $number('5') %}",
            ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                          "Arguments": {"Bucket": BUCKET, "Prefix": "{% 'results' %}"},
                          "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}})}},
            {"prefix": "today/"})
        _, files = self.written(self.output(d))
        batches = files["SUCCEEDED"]
        self.assertEqual([len(b["Items"]) for b in batches], [20, 20, 5])
        self.assertEqual(batches[0]["BatchInput"], {"bucket": BUCKET, "prefix": "today/"})
        self.assertEqual(batches[0]["Items"][0], {"bucket": BUCKET, "key": keys[0], "size": 2})
        self.assertEqual([i["key"] for b in batches for i in b["Items"]], keys)


if __name__ == "__main__":
    unittest.main()
