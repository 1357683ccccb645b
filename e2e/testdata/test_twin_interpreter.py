"""Tests of the patched interpreter, in this process: moto's S3 and Step
Functions with the launcher's patches, executions of small state machines
whose children are Pass, Choice and Fail states (no Lambda).

JSONata needs the npm jsonata package: TWIN_JSONATA_DIR names the directory
holding node_modules/jsonata (TestLauncher sets it); without it the JSONata
tests are skipped.
"""

import gzip
import hashlib
import json
import logging
import os
import time
import unittest
import urllib.parse
import uuid

import boto3
from moto import mock_aws
from moto.core.config import default_user_config

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


# A child that succeeds when the object its batch's first item names
# exists: an AWS SDK integration (s3:headObject) whose outcome a test changes
# by putting the object, for a redrive to find.
CHECK = {"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Parameters": {"item.$": "$.Items[0]"}, "ResultPath": "$.first", "Next": "Check"},
    "Check": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
              "Parameters": {"Bucket": BUCKET, "Key.$": "$.first.item.key"}, "ResultPath": None,
              "OutputPath": "$.Items", "End": True},
}}

# A child that fails when its item says so and otherwise waits 5 seconds.
WAIT_OR_FAIL = {"StartAt": "First", "States": {
    "First": {"Type": "Pass", "Parameters": {"item.$": "$.Items[0]"}, "ResultPath": "$.first", "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.first.item.fail", "BooleanEquals": True, "Next": "F"}],
          "Default": "W"},
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "the item said so"},
    "W": {"Type": "Wait", "Seconds": 5, "End": True},
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
        return self.wait(ex["executionArn"])

    def wait(self, execution_arn):
        deadline = time.time() + 60
        while time.time() < deadline:
            d = self.sfn.describe_execution(executionArn=execution_arn)
            if d["status"] != "RUNNING":
                return d
            time.sleep(0.05)
        self.fail("execution still running after 60 s")

    def history(self, execution_arn):
        return self.sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]

    def entered(self, execution_arn, name):
        """How many times the execution entered the state name."""
        return sum(1 for e in self.history(execution_arn) if e.get("stateEnteredEventDetails", {}).get("name") == name)

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
        # An EXPRESS child that failed can be re-run by a redrive of its Map Run only.
        self.assertEqual(failed["RedriveStatus"], "REDRIVABLE_BY_MAP_RUN")

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
        self.assertEqual((counts["total"], counts["failed"], counts["pending"], counts["resultsWritten"]), (6, 2, 4, 2))

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


# input-output-itemreader.html: the factcheck dataset, as JSON Lines.
FACTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]


def jsonl(items):
    return "".join(json.dumps(i) + "\n" for i in items).encode()


def next_state(state, name):
    """state, which ends, going on to the state name instead."""
    state = dict(state)
    state.pop("End")
    state["Next"] = name
    return state


def caught(state):
    """state, a Map, with every error caught into the output."""
    state = dict(state)
    state.pop("End")
    state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    state["Next"] = "Caught"
    return state


class ItemReaderTest(TwinCase):
    """The s3:getObject ItemReader (input-output-itemreader.html): JSON
    Lines and JSON files; what cannot be read is States.ItemReaderFailed."""

    def get_object(self, key, input_type="JSONL", **config):
        return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": input_type, **config},
                "Parameters": {"Bucket": BUCKET, "Key": key}}

    def test_documented_jsonl_batched_and_written(self):
        self.s3.put_object(Bucket=BUCKET, Key="jsonlDataset/factcheck.jsonl", Body=jsonl(FACTS * 3))
        reader = self.get_object("jsonlDataset/factcheck.jsonl")
        reader["Parameters"] = {"Bucket": BUCKET, "Key.$": "$.key"}
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=reader, ItemBatcher={"MaxItemsPerBatch": 4}, ResultWriter=self.WRITER)}},
            {"key": "jsonlDataset/factcheck.jsonl"})
        out = self.output(d)
        _, files = self.written(out)
        items = FACTS * 3
        self.assertEqual([b["Items"] for b in files["SUCCEEDED"]], [items[0:4], items[4:8], items[8:]])
        counts = self.sfn.describe_map_run(mapRunArn=out["MapRunArn"])
        self.assertEqual((counts["itemCounts"]["total"], counts["executionCounts"]["total"]), (9, 3))

    def test_documented_json(self):
        self.s3.put_object(Bucket=BUCKET, Key="jsonDataset/factcheck.json", Body=json.dumps(FACTS).encode())
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=self.get_object("jsonDataset/factcheck.json", "JSON"))}})
        self.assertEqual(self.output(d), FACTS)  # each child's input is an element

    def test_version(self):
        # "If the bucket has versioning enabled, you can also provide the
        # Amazon S3 object version."
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        first = self.s3.put_object(Bucket=BUCKET, Key="facts.jsonl", Body=jsonl(FACTS[:1]))["VersionId"]
        self.s3.put_object(Bucket=BUCKET, Key="facts.jsonl", Body=jsonl(FACTS))
        reader = self.get_object("facts.jsonl")
        reader["Parameters"]["VersionId"] = first
        d = self.execute({"StartAt": "M", "States": {"M": distributed(child(), ItemReader=reader)}})
        self.assertEqual(self.output(d), FACTS[:1])

    def test_gzip(self):
        self.s3.put_object(Bucket=BUCKET, Key="facts.jsonl.gz", Body=gzip.compress(jsonl(FACTS)))
        d = self.execute({"StartAt": "M", "States": {"M": distributed(child(), ItemReader=self.get_object("facts.jsonl.gz"))}})
        self.assertEqual(self.output(d), FACTS)

    def test_max_items(self):
        self.s3.put_object(Bucket=BUCKET, Key="facts.jsonl", Body=jsonl(FACTS))
        for max_items, want in [(2, FACTS[:2]), (0, FACTS), (5, FACTS)]:
            with self.subTest(max_items=max_items):
                d = self.execute({"StartAt": "M", "States": {"M": distributed(
                    child(), ItemReader=self.get_object("facts.jsonl", MaxItems=max_items))}})
                self.assertEqual(self.output(d), want)

    def test_empty_file_is_no_items(self):
        self.s3.put_object(Bucket=BUCKET, Key="empty.jsonl", Body=b"")
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=self.get_object("empty.jsonl"), ItemBatcher={"MaxItemsPerBatch": 2}, ResultWriter=self.WRITER)}})
        out = self.output(d)
        manifest, _ = self.written(out)
        self.assertEqual(manifest["ResultFiles"], {"FAILED": [], "PENDING": [], "SUCCEEDED": []})
        counts = self.sfn.describe_map_run(mapRunArn=out["MapRunArn"])
        self.assertEqual((counts["status"], counts["itemCounts"]["total"], counts["executionCounts"]["total"]), ("SUCCEEDED", 0, 0))

    def test_item_reader_failed(self):
        self.s3.put_object(Bucket=BUCKET, Key="bad.jsonl", Body=b'{"n": 1}\nnot json\n')
        self.s3.put_object(Bucket=BUCKET, Key="blank.jsonl", Body=b'{"n": 1}\n\n{"n": 2}\n')
        self.s3.put_object(Bucket=BUCKET, Key="object.json", Body=b'{"facts": []}')
        for name, reader, want in [
            ("a line not JSON", self.get_object("bad.jsonl"), "line 2 of s3://twin-data/bad.jsonl is not JSON"),
            ("a blank line", self.get_object("blank.jsonl"), "line 2 of s3://twin-data/blank.jsonl is blank"),
            ("a JSON object", self.get_object("object.json", "JSON"), "Attempting to map over non-iterable node."),
            ("no object", self.get_object("missing.jsonl"), "NoSuchKey: "),
            ("no bucket", {**self.get_object("k"), "Parameters": {"Bucket": "no-such-bucket", "Key": "k"}}, "NoSuchBucket: "),
        ]:
            with self.subTest(name):
                d = self.execute({"StartAt": "M", "States": {"M": caught(distributed(child(), ItemReader=reader)),
                                                             "Caught": {"Type": "Pass", "End": True}}})
                out = self.output(d)
                self.assertEqual(out["Error"], "States.ItemReaderFailed")
                self.assertIn(want, out["Cause"])


    def test_redriven_after_the_reader_failed(self):
        # A Map Run whose dataset could not be read ran no child: a redrive
        # reads it again (redrive-map-run.html); one that ran reads nothing
        # again, its children re-run with their inputs.
        m = next_state(distributed(CHECK, ItemReader=self.get_object("plan.jsonl"), ItemBatcher={"MaxItemsPerBatch": 1}),
                       "After")
        definition = {"StartAt": "M", "States": {"M": m, "After": {"Type": "Pass", "End": True}}}
        arn = self.create(definition)
        ex = self.sfn.start_execution(stateMachineArn=arn, name="reader", input="{}")["executionArn"]
        d = self.wait(ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ItemReaderFailed"))
        self.s3.put_object(Bucket=BUCKET, Key="plan.jsonl", Body=jsonl([{"key": "in/0"}, {"key": "in/1"}]))
        self.put(["in/0"])
        self.sfn.redrive_execution(executionArn=ex)
        d = self.wait(ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ExceedToleratedFailureThreshold"))
        # The plan changes; the redrive re-runs the failed child with its
        # input, and reads no plan.
        self.s3.put_object(Bucket=BUCKET, Key="plan.jsonl", Body=jsonl([{"key": "other"}]))
        self.put(["in/1"])
        self.sfn.redrive_execution(executionArn=ex)
        self.assertEqual(self.output(self.wait(ex)), [[{"key": "in/0"}], [{"key": "in/1"}]])
        runs = self.sfn.list_map_runs(executionArn=ex)["mapRuns"]
        counts = self.sfn.describe_map_run(mapRunArn=runs[-1]["mapRunArn"])
        self.assertEqual((counts["itemCounts"]["total"], counts["itemCounts"]["succeeded"], counts["redriveCount"]), (2, 2, 1))


def inventory_csv(rows):
    """Rows as S3 Inventory writes them in CSV: every field quoted, keys
    URL-encoded (storage-inventory.html), no header."""
    out = []
    for bucket, key, size, modified in rows:
        fields = [bucket, urllib.parse.quote_plus(key, safe="/"), str(size), modified]
        out.append(",".join('"' + f.replace('"', '""') + '"' for f in fields) + "\n")
    return "".join(out).encode()


class InventoryTest(TwinCase):
    """An S3 Inventory report as a dataset (InputType MANIFEST,
    input-output-itemreader.html): the rows of every CSV file its
    manifest.json lists, each an object named by fileSchema, strings."""

    # storage-inventory-location.html: where S3 delivers a report.
    WHERE = "inventories/twin-data/all"
    MANIFEST = WHERE + "/2026-12-06T01-00Z/manifest.json"

    def put_inventory(self, rows, files=3, file_format="CSV"):
        """Writes an inventory of rows as S3 does: gzipped CSV data files
        under data/ and the manifest naming them."""
        entries = []
        for i in range(files):
            key = f"{self.WHERE}/data/{uuid.uuid4()}.csv.gz"
            body = gzip.compress(inventory_csv(rows[len(rows) * i // files:len(rows) * (i + 1) // files]))
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            entries.append({"key": key, "size": len(body), "MD5checksum": hashlib.md5(body).hexdigest()})
        manifest = {"sourceBucket": BUCKET, "destinationBucket": f"arn:aws:s3:::{BUCKET}", "version": "2016-11-30",
                    "creationTimestamp": "1796518800000", "fileFormat": file_format,
                    "fileSchema": "Bucket, Key, Size, LastModifiedDate", "files": entries}
        self.s3.put_object(Bucket=BUCKET, Key=self.MANIFEST, Body=json.dumps(manifest).encode())

    def reader(self, **config):
        return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config or {"InputType": "MANIFEST"},
                "Parameters": {"Bucket": BUCKET, "Key": self.MANIFEST}}

    ROWS = [(BUCKET, f"today/{i:03d}.log", i, "2026-12-05T10:00:00.000Z") for i in range(20)] + [
        (BUCKET, "today/", 0, "2026-12-05T09:00:00.000Z"),
        (BUCKET, "today/a b+c%.log", 7, "2026-12-05T11:00:00.000Z"),
        (BUCKET, "today/caf\u00e9 \"1\",2.log", 8, "2026-12-05T12:00:00.000Z"),
    ]

    def test_report_of_several_files(self):
        self.put_inventory(self.ROWS)
        for config in ({"InputType": "MANIFEST"}, {"ManifestType": "S3_INVENTORY"}):
            with self.subTest(config=config):
                d = self.execute({"StartAt": "M", "States": {"M": distributed(
                    child(), ItemReader=self.reader(**config), ItemBatcher={"MaxItemsPerBatch": 10}, ResultWriter=self.WRITER)}})
                _, files = self.written(self.output(d))
                items = [i for b in files["SUCCEEDED"] for i in b["Items"]]
                self.assertEqual([len(b["Items"]) for b in files["SUCCEEDED"]], [10, 10, 3])
                # Every row, in the files' order, as the page's child input:
                # strings, keys as the CSV holds them.
                self.assertEqual(items, [{"Bucket": b, "Key": urllib.parse.quote_plus(k, safe="/"), "Size": str(n),
                                          "LastModifiedDate": m} for b, k, n, m in self.ROWS])
                self.assertEqual(items[21]["Key"], "today/a+b%2Bc%25.log")

    def test_keys_decoded(self):
        # The other reading of the undocumented Key: decoded.
        self.put_inventory(self.ROWS, files=1)
        config = default_user_config["stepfunctions"]
        self.addCleanup(config.pop, "twin_inventory_keys")
        config["twin_inventory_keys"] = "decoded"
        d = self.execute({"StartAt": "M", "States": {"M": distributed(child(), ItemReader=self.reader())}})
        self.assertEqual([i["Key"] for i in self.output(d)], [k for _, k, _, _ in self.ROWS])

    def test_max_items_across_files(self):
        self.put_inventory(self.ROWS)
        d = self.execute({"StartAt": "M", "States": {"M": distributed(
            child(), ItemReader=self.reader(InputType="MANIFEST", MaxItems=9))}})
        self.assertEqual([i["Key"] for i in self.output(d)], [f"today/{i:03d}.log" for i in range(9)])

    def test_orc_refused(self):
        # "The output format of your Amazon S3 inventory report must be CSV."
        self.put_inventory(self.ROWS, file_format="ORC")
        d = self.execute({"StartAt": "M", "States": {"M": caught(distributed(child(), ItemReader=self.reader())),
                                                     "Caught": {"Type": "Pass", "End": True}}})
        out = self.output(d)
        self.assertEqual(out["Error"], "States.ItemReaderFailed")
        self.assertIn("lists an inventory in 'ORC'", out["Cause"])

    def test_missing_data_file(self):
        self.put_inventory(self.ROWS)
        manifest = json.loads(self.get(self.MANIFEST))
        self.s3.delete_object(Bucket=BUCKET, Key=manifest["files"][1]["key"])
        d = self.execute({"StartAt": "M", "States": {"M": caught(distributed(child(), ItemReader=self.reader())),
                                                     "Caught": {"Type": "Pass", "End": True}}})
        out = self.output(d)
        self.assertEqual(out["Error"], "States.ItemReaderFailed")
        self.assertIn("NoSuchKey", out["Cause"])


class AbortTest(TwinCase):
    """API_MapRunItemCounts.html: aborted counts the items of children
    "stopped by the user or by Step Functions, because the Map Run failed":
    once the tolerance is crossed, children still running are stopped."""

    def test_running_children_aborted(self):
        items = [{"n": i, "fail": i == 2} for i in range(6)]
        arn = self.create({"StartAt": "M", "States": {"M": distributed(
            WAIT_OR_FAIL, ItemBatcher={"MaxItemsPerBatch": 1}, MaxConcurrency=3, ResultWriter=self.WRITER)}})
        start = time.time()
        ex = self.sfn.start_execution(stateMachineArn=arn, name="abort", input=json.dumps(items))
        d = self.wait(ex["executionArn"])
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ExceedToleratedFailureThreshold"))
        self.assertLess(time.time() - start, 4.5, "the waiting children were not stopped")
        run_arn = self.sfn.list_map_runs(executionArn=ex["executionArn"])["mapRuns"][0]["mapRunArn"]
        c = self.sfn.describe_map_run(mapRunArn=run_arn)
        self.assertEqual({k: c["itemCounts"][k] for k in ("total", "failed", "aborted", "pending", "running", "succeeded")},
                         {"total": 6, "failed": 1, "aborted": 2, "pending": 3, "running": 0, "succeeded": 0})
        self.assertEqual(c["executionCounts"]["aborted"], 2)
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix="results/").get("Contents", [])]
        manifest = json.loads(self.get(next(k for k in keys if k.endswith("manifest.json"))))
        failed = json.loads(self.get(manifest["ResultFiles"]["FAILED"][0]["Key"]))
        self.assertEqual(sorted(r["Status"] for r in failed), ["ABORTED", "ABORTED", "FAILED"])


class RedriveTest(TwinCase):
    """RedriveExecution (API_RedriveExecution.html, redrive-executions.html,
    redrive-map-run.html): the same execution, from the state that failed,
    with the same input; a failed Map Run's unsuccessful children run again,
    the others do not; then the states after it."""

    def keys(self, n):
        return [{"key": f"in/{i}.txt"} for i in range(n)]

    def machine(self, execution_type="EXPRESS", writer=None, then=None):
        m = distributed(CHECK, execution_type=execution_type, ItemBatcher={"MaxItemsPerBatch": 1}, MaxConcurrency=1,
                        Label="M", ResultWriter=writer or self.WRITER)
        m.pop("End")
        m["Next"] = "After"
        states = {"Before": {"Type": "Pass", "Next": "M"}, "M": m, "After": {"Type": "Pass", "End": True}}
        if then:
            states["After"] = {**then, "End": True}
        return {"StartAt": "Before", "States": states}

    def start(self, definition, state_input):
        arn = self.create(definition)
        self.n += 1
        return self.sfn.start_execution(stateMachineArn=arn, name=f"r{self.n}", input=json.dumps(state_input))["executionArn"]

    def redrive(self, execution_arn):
        date = self.sfn.redrive_execution(executionArn=execution_arn)["redriveDate"]
        self.assertIsNotNone(date)
        return self.wait(execution_arn)

    def manifest_files(self, execution_arn):
        run_arn = self.sfn.list_map_runs(executionArn=execution_arn)["mapRuns"][-1]["mapRunArn"]
        run_id = run_arn.rsplit(":", 1)[-1]
        manifest = json.loads(self.get(f"results/{run_id}/manifest.json"))
        return {g: [r for f in files for r in json.loads(self.get(f["Key"]))] for g, files in manifest["ResultFiles"].items()}

    def test_map_run_redriven(self):
        for execution_type in ("EXPRESS", "STANDARD"):
            with self.subTest(execution_type):
                items = self.keys(6)
                self.put([i["key"] for n, i in enumerate(items) if n not in (1, 4)])
                writer = {**self.WRITER, "WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}
                ex = self.start(self.machine(execution_type, writer), items)
                d = self.wait(ex)
                self.assertEqual((d["status"], d["error"]), ("FAILED", "States.ExceedToleratedFailureThreshold"))
                self.assertEqual((d["redriveCount"], d["redriveStatus"]), (0, "REDRIVABLE"))
                before = self.manifest_files(ex)
                failed, = before["FAILED"]  # item 1; MaxConcurrency 1: items 2-5 never started
                self.assertEqual(len(before["PENDING"]), 4)
                run_arn = self.sfn.list_map_runs(executionArn=ex)["mapRuns"][0]["mapRunArn"]

                self.put([items[1]["key"], items[4]["key"]])
                d = self.redrive(ex)
                self.assertEqual((d["status"], d["executionArn"], d["redriveCount"]), ("SUCCEEDED", ex, 1))
                self.assertEqual((d["redriveStatus"], d["redriveStatusReason"]),
                                 ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"))
                self.assertIn("redriveDate", d)
                # The states before the Map ran once; the Map twice, the state after once.
                self.assertEqual((self.entered(ex, "Before"), self.entered(ex, "M"), self.entered(ex, "After")), (1, 2, 1))
                self.assertEqual([e["type"] for e in self.history(ex)].count("ExecutionRedriven"), 1)
                # The same Map Run, redriven once, every item counted once.
                runs = self.sfn.list_map_runs(executionArn=ex)["mapRuns"]
                self.assertEqual([r["mapRunArn"] for r in runs], [run_arn])
                c = self.sfn.describe_map_run(mapRunArn=run_arn)
                self.assertEqual((c["status"], c["redriveCount"]), ("SUCCEEDED", 1))
                self.assertIn("redriveDate", c)
                for counts in (c["itemCounts"], c["executionCounts"]):
                    self.assertEqual(counts, {"total": 6, "succeeded": 6, "resultsWritten": 6, "failed": 0, "pending": 0,
                                              "running": 0, "timedOut": 0, "aborted": 0, "pendingRedrive": 0,
                                              "failuresNotRedrivable": 0})
                # The manifest covers every child, in item order; the one
                # that failed ran again: an EXPRESS child as a new execution
                # (StartExecution), a STANDARD one redriven under its ARN.
                after = self.manifest_files(ex)
                self.assertEqual((after["FAILED"], after["PENDING"]), ([], []))
                self.assertEqual([json.loads(r["Input"]) for r in after["SUCCEEDED"]], [{"Items": [i]} for i in items])
                self.assertEqual([json.loads(r["Output"]) for r in after["SUCCEEDED"]], [[i] for i in items])
                again = after["SUCCEEDED"][1]
                if execution_type == "EXPRESS":
                    self.assertNotEqual(again["ExecutionArn"], failed["ExecutionArn"])
                    self.assertEqual(again["RedriveCount"], 0)
                else:
                    self.assertEqual((again["ExecutionArn"], again["RedriveCount"]), (failed["ExecutionArn"], 1))
                self.assertEqual(after["SUCCEEDED"][0]["ExecutionArn"], before["SUCCEEDED"][0]["ExecutionArn"])
                self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": i["key"]} for i in items]})

    def test_later_state_redriven(self):
        # The Map succeeds, the state after it fails: a redrive runs that
        # state again, not the Map.
        items = self.keys(3)
        self.put([i["key"] for i in items])
        late = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                "Parameters": {"Bucket": BUCKET, "Key": "late.txt"}, "ResultPath": None}
        ex = self.start(self.machine(then=late), items)
        d = self.wait(ex)
        self.assertEqual(d["status"], "FAILED")
        self.put(["late.txt"])
        d = self.redrive(ex)
        self.assertEqual((d["status"], d["redriveCount"]), ("SUCCEEDED", 1))
        self.assertEqual((self.entered(ex, "M"), self.entered(ex, "After")), (1, 2))

    def test_caught_into_fail_state(self):
        # redrive-executions.html: a Catch that leads to a Fail state makes
        # that the state that failed; a redrive runs it alone, and fails again.
        items = self.keys(2)
        m = self.machine()
        m["States"]["M"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]
        m["States"]["Failed"] = {"Type": "Fail", "Error": "Caught", "Cause": "the Map failed"}
        ex = self.start(m, items)
        d = self.wait(ex)
        self.assertEqual((d["status"], d["error"]), ("FAILED", "Caught"))
        self.put([i["key"] for i in items])
        d = self.redrive(ex)
        self.assertEqual((d["status"], d["error"], d["redriveCount"]), ("FAILED", "Caught", 1))
        self.assertEqual((self.entered(ex, "M"), self.entered(ex, "Failed")), (1, 2))

    def test_redriven_results_of_rerun_children_only(self):
        # What the ResultWriter writes after a redrive is not documented; the
        # twin writes every child unless told to write only those it re-ran.
        items = self.keys(4)
        self.put([items[0]["key"]])
        ex = self.start(self.machine(), items)
        self.wait(ex)
        self.put([i["key"] for i in items])
        config = default_user_config["stepfunctions"]
        self.addCleanup(config.pop, "twin_redriven_results")
        config["twin_redriven_results"] = "rerun"
        self.assertEqual(self.redrive(ex)["status"], "SUCCEEDED")
        self.assertEqual(len(self.manifest_files(ex)["SUCCEEDED"]), 3)

    def test_not_redrivable(self):
        items = self.keys(1)
        self.put([items[0]["key"]])
        ex = self.start(self.machine(), items)
        self.assertEqual(self.wait(ex)["status"], "SUCCEEDED")
        with self.assertRaisesRegex(self.sfn.exceptions.ExecutionNotRedrivable, "Execution is SUCCEEDED and cannot be redriven"):
            self.sfn.redrive_execution(executionArn=ex)
        waiting = self.start({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}, {})
        with self.assertRaisesRegex(self.sfn.exceptions.ExecutionNotRedrivable, "Execution is RUNNING"):
            self.sfn.redrive_execution(executionArn=waiting)
        d = self.sfn.describe_execution(executionArn=waiting)
        self.assertEqual((d["redriveCount"], d["redriveStatus"]), (0, "NOT_REDRIVABLE"))
        with self.assertRaises(self.sfn.exceptions.ExecutionDoesNotExist):
            self.sfn.redrive_execution(executionArn=waiting + "-no")


class DescribeMapRunTaskTest(TwinCase):
    """A Task with arn:aws:states:::aws-sdk:sfn:describeMapRun, as the
    deployed CountItems: PascalCase parameters and result
    (supported-services-awssdk.html)."""

    def test_item_count(self):
        m = distributed(child(), ItemBatcher={"MaxItemsPerBatch": 2}, ResultWriter=self.WRITER)
        m.pop("End")
        m["Next"] = "Count"
        d = self.execute({"StartAt": "M", "States": {"M": m, "Count": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeMapRun",
            "Parameters": {"MapRunArn.$": "$.MapRunArn"}, "End": True}}}, [{"n": i} for i in range(5)])
        out = self.output(d)
        self.assertEqual((out["Status"], out["ItemCounts"]["Total"], out["ItemCounts"]["Succeeded"]), ("SUCCEEDED", 5, 5))
        self.assertEqual(out["ExecutionCounts"]["Total"], 3)
        self.assertRegex(out["StartDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


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

    def test_get_object_arguments(self):
        # An s3:getObject reader in JSONata: Arguments and MaxItems as
        # expressions; MaxItems negative fails the reader, MaxItems not an
        # integer is States.Runtime, which no Catch takes.
        self.s3.put_object(Bucket=BUCKET, Key="plans/p.jsonl", Body=jsonl(FACTS))
        m = caught(distributed(child(), ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% $states.input.n %}"},
            "Arguments": {"Bucket": BUCKET, "Key": "{% 'plans/' & $states.input.plan %}"}}))
        machine = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": m, "Caught": {"Type": "Pass", "End": True}}}
        for n, want in [(2, FACTS[:2]), (0, FACTS)]:
            with self.subTest(n=n):
                self.assertEqual(self.output(self.execute(machine, {"plan": "p.jsonl", "n": n})), want)
        out = self.output(self.execute(machine, {"plan": "p.jsonl", "n": -1}))
        self.assertEqual(out, {"Error": "States.ItemReaderFailed", "Cause": "field MaxItems must be positive"})
        d = self.execute(machine, {"plan": "p.jsonl", "n": 1.5})
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.Runtime"))
        self.assertIn("The MaxItems field refers to value 1.5 which is not a valid integer", d["cause"])


@unittest.skipUnless(JSONATA_DIR, "TWIN_JSONATA_DIR is not set: no JSONata engine")
class VariablesTest(TwinCase):
    """Workflow variables (workflow-variables.html): Assign on Pass, Task,
    Map and Choice states, in Choice rules and Catchers; $name in later
    states; values as on state entry; scopes; limits."""

    def run_machine(self, states, state_input=None, start="A"):
        return self.execute({"QueryLanguage": "JSONata", "StartAt": start, "States": states}, state_input)

    def test_documented_evaluation_order(self):
        # The page's example: starting from $x=3 and $a=6, Assign
        # {"x": "{% $a %}", "nextX": "{% $x %}"} ends with $x=6, $nextX=3;
        # the state's own Output still reads the values on entry.
        d = self.run_machine({
            "A": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"},
                  "Output": "{% {'x': $x, 'nextX': $exists($nextX)} %}", "Next": "C"},
            "C": {"Type": "Pass", "Output": "{% {'B': $states.input, 'x': $x, 'nextX': $nextX} %}", "End": True}})
        self.assertEqual(self.output(d), {"B": {"x": 3, "nextX": False}, "x": 6, "nextX": 3})

    def test_task_and_map(self):
        # A Task assigns from $states.result; a Distributed Map from its
        # result, the Map Run's ARN; both read later, not in their Output.
        self.put(["in/a.txt", "in/b.txt"])
        d = self.run_machine({
            "A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                  "Arguments": {"Bucket": BUCKET, "Key": "in/a.txt"},
                  "Assign": {"size": "{% $states.result.ContentLength %}"}, "Output": "{% $exists($size) %}", "Next": "M"},
            "M": {**next_state(distributed(child(), ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2",
                                                     "Arguments": {"Bucket": BUCKET, "Prefix": "in/"}},
                                ItemSelector={"key": "{% $states.context.Map.Item.Value.Key %}", "size": "{% $size %}"},
                                ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                              "Arguments": {"Bucket": BUCKET, "Prefix": "results"}}, Label="Sum"), "Count"),
                  "Assign": {"run": "{% $states.result.MapRunArn %}"}},
            "Count": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeMapRun",
                      "Arguments": {"MapRunArn": "{% $run %}"},
                      "Output": "{% {'run': $run, 'total': $states.result.ItemCounts.Total, 'size': $size} %}", "End": True}})
        out = self.output(d)
        self.assertEqual((out["total"], out["size"]), (2, 2))
        self.assertIn(":mapRun:", out["run"])
        self.assertIn("/Sum:", out["run"])

    def test_choice(self):
        # state-choice.html: a rule's Assign when it matches, the state's
        # own "regardless of which choice rule matches".
        states = {
            "A": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n = 42 %}", "Assign": {"status": "CORRECT"}, "Next": "B"},
                {"Condition": "{% $states.input.n < 0 %}", "Assign": {"status": "NEGATIVE"}, "Next": "C"}],
                "Assign": {"guess": "{% $states.input.n %}"}, "Default": "B"},
            "B": {"Type": "Pass", "Output": "{% {'status': $exists($status) ? $status : null, 'guess': $guess} %}", "End": True},
            "C": {"Type": "Pass", "Output": "{% {'status': $status, 'guess': $guess} %}", "End": True}}
        for n, want in [(42, "CORRECT"), (-1, "NEGATIVE"), (0, None)]:
            with self.subTest(n=n):
                self.assertEqual(self.output(self.run_machine(states, {"n": n})), {"status": want, "guess": n})
        states["A"]["Assign"]["status"] = "DEFAULT"
        with self.assertRaisesRegex(self.sfn.exceptions.InvalidDefinition, "assigned by both a Choice state and its rule"):
            self.run_machine(states, {"n": 0})

    def test_catch(self):
        # A Catcher's Assign, from $states.errorOutput; the failed state's
        # own Assign does not apply.
        d = self.run_machine({
            "A": {"Type": "Pass", "Assign": {"where": "start"}, "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:headObject",
                  "Arguments": {"Bucket": BUCKET, "Key": "missing"}, "Assign": {"where": "T"},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B", "Output": "{% $states.errorOutput %}",
                             "Assign": {"error": "{% $states.errorOutput.Error %}"}}], "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% {'where': $where, 'error': $error, 'caught': $states.input.Error} %}", "End": True}})
        out = self.output(d)
        self.assertEqual(out["where"], "start")
        self.assertEqual(out["error"], out["caught"])

    def test_scopes(self):
        # An inline Map's iterations read the outer variables; a
        # Distributed Map's children do not, while its ItemSelector, the
        # Map's own field, does.
        inline = {"Type": "Map", "Items": [1, 2],
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I",
                                    "States": {"I": {"Type": "Pass", "Output": "{% $states.input * $k %}", "End": True}}},
                  "End": True}
        d = self.run_machine({"A": {"Type": "Pass", "Assign": {"k": 10}, "Next": "M"}, "M": inline})
        self.assertEqual(self.output(d), [10, 20])
        reads = child({"P": {"Type": "Pass", "Output": "{% $k %}", "End": True}})
        d = self.run_machine({"A": {"Type": "Pass", "Assign": {"k": 10}, "Next": "M"},
                              "M": distributed(reads, Items=[1, 2], ToleratedFailurePercentage=100)})
        out = self.output(d)
        self.assertEqual([r["Error"] for r in out], ["States.QueryEvaluationError"] * 2)
        given = child({"P": {"Type": "Pass", "Output": "{% $states.input.k %}", "End": True}})
        d = self.run_machine({"A": {"Type": "Pass", "Assign": {"k": 10}, "Next": "M"},
                              "M": distributed(given, Items=[1, 2], ItemSelector={"k": "{% $k * $states.context.Map.Item.Value %}"})})
        self.assertEqual(self.output(d), [10, 20])

    def test_limits(self):
        # 256 KiB a variable: over it the state fails, and States.ALL does
        # not catch it.
        big = "{% $pad('', 262144 - 2, 'x') %}"  # 262,144 bytes of JSON with its quotes
        for value, ok in [(big, True), ("{% $pad('', 262144 - 1, 'x') %}", False)]:
            with self.subTest(ok=ok):
                d = self.run_machine({
                    "A": {"Type": "Pass", "Assign": {"v": value}, "Next": "B"},
                    "B": {"Type": "Pass", "Output": "{% $length($v) %}", "End": True}})
                if ok:
                    self.assertEqual(self.output(d), 262142)
                else:
                    self.assertEqual((d["status"], d["error"]), ("FAILED", "States.DataLimitExceeded"))
                    self.assertIn("'v' would hold 262145 bytes", d["cause"])
        d = self.run_machine({
            "A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "Arguments": {},
                  "Assign": {"a": "{% $pad('', 200000, 'x') %}", "b": "{% $pad('', 200000, 'x') %}"},
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}], "Next": "B"},
            "B": {"Type": "Pass", "End": True}})
        self.assertEqual((d["status"], d["error"]), ("FAILED", "States.DataLimitExceeded"))
        self.assertIn("the variables of one Assign would hold 400004 bytes", d["cause"])


if __name__ == "__main__":
    unittest.main()
