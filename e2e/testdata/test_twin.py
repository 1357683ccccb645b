"""Tests of the twin's AWS behaviours, without moto: AWS's documented examples
and the rules each page states, checked on the pure functions.

    python3 -m unittest discover -s e2e/testdata -v     (run by TestLauncher)
"""

import datetime
import gzip
import json
import unittest

import types

import boto3
from moto.stepfunctions.parser.api import ExecutionStatus, StateMachineType

from twin import awssdk, batching, counts, definition, listing, reader, redrive, results, tolerance, variables

# input-output-itembatcher.html: the dataset of the page's example, and the
# batch of two items it shows a child receiving.
VERDICTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "true", "statement_date": "5/18/2016", "statement_source": "news"},
]


class BatchingTest(unittest.TestCase):
    def test_documented_batch(self):
        got = batching.make_batches(VERDICTS, max_items=2)
        self.assertEqual(got, [{"Items": VERDICTS[:2]}, {"Items": VERDICTS[2:]}])

    def test_batch_input_beside_items(self):
        got = batching.make_batches(VERDICTS, max_items=2, batch_input={"factCheck": "TRUE"})
        self.assertEqual(got[0], {"Items": VERDICTS[:2], "BatchInput": {"factCheck": "TRUE"}})
        self.assertEqual(got[1]["BatchInput"], {"factCheck": "TRUE"})

    def test_bytes_count_the_whole_child_input(self):
        # A batch may be exactly MaxInputBytesPerBatch long, never one byte more.
        items = [{"key": f"k{i}"} for i in range(10)]
        whole = batching.json_bytes({"Items": items[:3], "BatchInput": {"b": 1}})
        got = batching.make_batches(items, max_bytes=whole, batch_input={"b": 1})
        self.assertEqual([len(b["Items"]) for b in got], [3, 3, 3, 1])
        for b in got:
            self.assertLessEqual(batching.json_bytes(b), whole)
        got = batching.make_batches(items, max_bytes=whole - 1, batch_input={"b": 1})
        self.assertEqual(len(got[0]["Items"]), 2)

    def test_bytes_are_utf8(self):
        item = {"key": "é"}  # 2 bytes in UTF-8, not the 6 of "\u00e9"
        self.assertEqual(batching.json_bytes(item), len('{"key":"é"}'.encode("utf-8")))
        n = batching.json_bytes({"Items": [item, item]})
        self.assertEqual(len(batching.make_batches([item] * 4, max_bytes=n)), 2)

    def test_whichever_limit_comes_first(self):
        items = [{"key": "x" * (200 if i % 7 in (0, 2) else 1)} for i in range(40)]
        max_bytes = 300
        got = batching.make_batches(items, max_items=5, max_bytes=max_bytes)
        self.assertEqual([i for b in got for i in b["Items"]], items)
        by_items = by_bytes = 0
        for b, nxt in zip(got, got[1:]):
            self.assertLessEqual(len(b["Items"]), 5)
            self.assertLessEqual(batching.json_bytes(b), max_bytes)
            # Each batch ends because the next item would break a limit.
            if len(b["Items"]) == 5:
                by_items += 1
            else:
                self.assertGreater(batching.json_bytes({"Items": b["Items"] + nxt["Items"][:1]}), max_bytes)
                by_bytes += 1
        self.assertGreater(by_items, 0)
        self.assertGreater(by_bytes, 0)

    def test_max_items_alone_is_bounded_by_256_kib(self):
        items = [{"key": "x" * 1000} for _ in range(600)]
        got = batching.make_batches(items, max_items=1000)
        self.assertGreater(len(got), 1)
        for b in got:
            self.assertLessEqual(batching.json_bytes(b), 256 * 1024)

    def test_refused(self):
        for kwargs, want in [
            ({}, "needs MaxItemsPerBatch or MaxInputBytesPerBatch"),
            ({"max_items": 0}, "positive integer"),
            ({"max_items": 2.5}, "positive integer"),
            ({"max_bytes": 256 * 1024 + 1}, "at most 262144"),
            ({"max_bytes": 20}, "item 0 alone"),
        ]:
            with self.subTest(kwargs=kwargs), self.assertRaisesRegex(batching.BatchError, want):
                batching.make_batches(VERDICTS, **kwargs)

    def test_no_items_no_batches(self):
        self.assertEqual(batching.make_batches([], max_items=10), [])


class ToleranceTest(unittest.TestCase):
    def test_exceeded(self):
        for failed, total, count, pct, want in [
            (0, 0, None, None, False),  # nothing to fail
            (1, 100, None, None, True),  # no tolerance declared: none
            (5, 100, None, 5, False),  # 5 % of 100 is within 5 %
            (6, 100, None, 5, True),
            (1, 3, None, 33.3, True),  # 33.33... % > 33.3 %
            (1, 3, None, 34, False),
            (2, 10, 2, None, False),
            (3, 10, 2, None, True),
            (3, 10, 5, 20, True),  # either threshold fails the run
            (2, 10, 1, 20, True),
            (2, 10, 5, 20, False),
        ]:
            with self.subTest(failed=failed, total=total, count=count, pct=pct):
                self.assertEqual(tolerance.exceeded(failed, total, count, pct), want)


class ListingTest(unittest.TestCase):
    def test_documented_item(self):
        # input-output-itemreader.html: an object listed by s3:listObjectsV2.
        entry = {
            "Key": "processData/images/n02085620_1073.jpg",
            "LastModified": datetime.datetime.fromtimestamp(1668699881, tz=datetime.timezone.utc),
            "ETag": '"05704fbdccb224cb01c59005bebbad28"',
            "Size": 34910,
            "StorageClass": "STANDARD",
        }
        self.assertEqual(listing.item(entry), {
            "Etag": '"05704fbdccb224cb01c59005bebbad28"',
            "Key": "processData/images/n02085620_1073.jpg",
            "LastModified": 1668699881,
            "Size": 34910,
            "StorageClass": "STANDARD",
        })

    def test_every_page(self):
        keys = [f"today/{i:04d}.log" for i in range(2500)]
        calls = []

        def list_page(**request):  # ListObjectsV2 as S3 pages it: 1,000 keys a page
            calls.append(dict(request))
            start = int(request.get("ContinuationToken", "0"))
            page = [k for k in keys if k.startswith(request.get("Prefix", ""))][start:start + 1000]
            out = {"IsTruncated": start + 1000 < len(keys), "KeyCount": len(page)}
            if page:
                out["Contents"] = [{"Key": k, "Size": 1, "ETag": '"e"', "StorageClass": "STANDARD"} for k in page]
            if out["IsTruncated"]:
                out["NextContinuationToken"] = str(start + 1000)
            return out

        got = listing.list_items(list_page, {"Bucket": "b", "Prefix": "today/"})
        self.assertEqual([i["Key"] for i in got], keys)
        self.assertEqual([c.get("ContinuationToken") for c in calls], [None, "1000", "2000"])
        self.assertTrue(all(c["Bucket"] == "b" and c["Prefix"] == "today/" for c in calls))

    def test_empty_listing(self):
        # S3 leaves Contents out of an empty page.
        self.assertEqual(listing.list_items(lambda **_: {"IsTruncated": False, "KeyCount": 0}, {"Bucket": "b"}), [])


# input-output-itemreader.html: the factcheck dataset as a JSON file
# (jsonDataset/factcheck.json) and as a JSON Lines file
# (jsonlDataset/factcheck.jsonl), and the input of the first child.
FACTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]
FACTCHECK_JSONL = b"""{"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"}
{"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"}
{"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"}"""

# The page's S3 Inventory example: a data file in CSV, the manifest naming
# it, and the input of a child.
INVENTORY_CSV = b"""\
"amzn-s3-demo-source-bucket","csvDataset/","0","2022-11-16T00:27:19.000Z"
"amzn-s3-demo-source-bucket","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"
"amzn-s3-demo-source-bucket","imageDataset/","0","2022-11-15T20:00:44.000Z"
"amzn-s3-demo-source-bucket","imageDataset/n02085620_10074.jpg","27034","2022-11-15T20:02:16.000Z"
"""
INVENTORY_MANIFEST = {
    "sourceBucket": "amzn-s3-demo-source-bucket",
    "destinationBucket": "arn:aws:s3:::amzn-s3-demo-inventory",
    "version": "2016-11-30",
    "creationTimestamp": "1668560400000",
    "fileFormat": "CSV",
    "fileSchema": "Bucket, Key, Size, LastModifiedDate",
    "files": [{
        "key": "amzn-s3-demo-bucket/destination-prefix/data/20e55de8-9c21-45d4-99b9-46c732000228.csv.gz",
        "size": 7300,
        "MD5checksum": "a7ff4a1d4164c3cd55851055ec8f6b20",
    }],
}
INVENTORY_CHILD_INPUT = {
    "LastModifiedDate": "2022-11-16T00:29:32.000Z",
    "Bucket": "amzn-s3-demo-source-bucket",
    "Size": "3399671",
    "Key": "csvDataset/titles.csv",
}


class ReaderTest(unittest.TestCase):
    """The s3:getObject ItemReader's datasets (input-output-itemreader.html)."""

    def test_documented_json(self):
        got = reader.json_items(json.dumps(FACTS, indent=2).encode())
        self.assertEqual(got, FACTS)
        self.assertEqual(got[0], {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"})

    def test_documented_jsonl(self):
        # "as many child workflow executions as the number of lines"
        self.assertEqual(reader.jsonl_items(FACTCHECK_JSONL), FACTS)
        self.assertEqual(reader.jsonl_items(FACTCHECK_JSONL + b"\n"), FACTS)  # a final newline ends the last line
        self.assertEqual(reader.jsonl_items(FACTCHECK_JSONL.replace(b"\n", b"\r\n")), FACTS)

    def test_jsonl_values(self):
        self.assertEqual(reader.jsonl_items(b'1\n"two"\n[3]\nnull\n{"n": 123456789012345678901234567890}\n'),
                         [1, "two", [3], None, {"n": 123456789012345678901234567890}])

    def test_empty_jsonl_is_no_items(self):
        self.assertEqual(reader.jsonl_items(b""), [])

    def test_refused(self):
        for name, read, body, want in [
            ("a JSON object", reader.json_items, b'{"facts": []}', "Attempting to map over non-iterable node."),
            ("a JSON scalar", reader.json_items, b"42", "Attempting to map over non-iterable node."),
            ("an empty JSON file", reader.json_items, b"", "s3://b/k is not JSON"),
            ("a JSON Lines file read as JSON", reader.json_items, FACTCHECK_JSONL, "s3://b/k is not JSON"),
            ("a line not JSON", reader.jsonl_items, b'{"n": 1}\n{"n": 2\n{"n": 3}\n', "line 2 of s3://b/k is not JSON"),
            ("a blank line", reader.jsonl_items, b'{"n": 1}\n\n{"n": 3}\n', "line 2 of s3://b/k is blank"),
            ("a line of spaces", reader.jsonl_items, b'{"n": 1}\n  \r\n', "line 2 of s3://b/k is blank"),
            ("a blank last line", reader.jsonl_items, b'{"n": 1}\n\n', "line 2 of s3://b/k is blank"),
            ("two values on a line", reader.jsonl_items, b'{"n": 1} {"n": 2}\n', "line 1 of s3://b/k is not JSON"),
            ("a BOM", reader.jsonl_items, '\ufeff{"n": 1}\n'.encode(), "line 1 of s3://b/k is not JSON"),
            ("not UTF-8", reader.jsonl_items, b'"\xff"\n', "s3://b/k is not UTF-8"),
            ("an item over 8 MB", reader.jsonl_items, b'"' + b"x" * reader.MAX_ITEM_BYTES + b'"\n', "line 1 of s3://b/k is over"),
        ]:
            with self.subTest(name), self.assertRaises(reader.ReaderError) as cm:
                read(body, "s3://b/k")
            self.assertIn(want, str(cm.exception))

    def test_jsonl_limit_stops_reading(self):
        # MaxItems 2: the third line is never read, bad as it is.
        self.assertEqual(reader.jsonl_items(b"1\n2\nnot json\n", limit=2), [1, 2])

    def test_max_items(self):
        # As Step Functions answers MaxItems (and MaxItemsPath): 0 is no
        # limit, a value over 100,000,000 is that many, a negative one
        # fails the reader, one that is not an integer is States.Runtime.
        for value, want in [(None, None), (0, None), (2, 2), (2.0, 2), (100_000_000, 100_000_000),
                            (100_000_001, 100_000_000)]:
            with self.subTest(value=value):
                self.assertEqual(reader.max_items(value), want)
        with self.assertRaisesRegex(reader.ReaderError, "^field MaxItems must be positive$"):
            reader.max_items(-1)
        for value in (1.5, "2", True):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValueError, "not a valid integer") as cm:
                    reader.max_items(value)
                self.assertNotIsInstance(cm.exception, reader.ReaderError)  # States.Runtime

    def test_decompress(self):
        # "Input files support the following external compression types:
        # GZIP, ZSTD. Example file names: myObject.jsonl.gz".
        self.assertEqual(reader.decompress("myObject.jsonl.gz", gzip.compress(FACTCHECK_JSONL)), FACTCHECK_JSONL)
        self.assertEqual(reader.decompress("myObject.jsonl", FACTCHECK_JSONL), FACTCHECK_JSONL)
        with self.assertRaisesRegex(reader.ReaderError, "is named .gz but is not gzip"):
            reader.decompress("myObject.jsonl.gz", FACTCHECK_JSONL)
        with self.assertRaisesRegex(reader.ReaderError, "ZSTD"):
            reader.decompress("myObject.csv.zstd", b"")

    def test_documented_inventory(self):
        columns, keys = reader.inventory(json.dumps(INVENTORY_MANIFEST).encode(), "amzn-s3-demo-inventory")
        self.assertEqual(columns, ["Bucket", "Key", "Size", "LastModifiedDate"])
        self.assertEqual(keys, [INVENTORY_MANIFEST["files"][0]["key"]])
        items = reader.inventory_items(INVENTORY_CSV, columns)
        self.assertEqual(len(items), 4)
        self.assertEqual(items[1], INVENTORY_CHILD_INPUT)
        self.assertEqual(items[0], {"Bucket": "amzn-s3-demo-source-bucket", "Key": "csvDataset/", "Size": "0",
                                    "LastModifiedDate": "2022-11-16T00:27:19.000Z"})

    def test_inventory_keys(self):
        # storage-inventory.html: in a CSV inventory the key is URL-encoded.
        # The item keeps it so, unless the other reading is asked for.
        row = b'"b","my+photos/caf%C3%A9+%2B+1%25.jpg","7"\n'
        item, = reader.inventory_items(row, ["Bucket", "Key", "Size"])
        self.assertEqual(item["Key"], "my+photos/caf%C3%A9+%2B+1%25.jpg")
        item, = reader.inventory_items(row, ["Bucket", "Key", "Size"], decode_keys=True)
        self.assertEqual(item["Key"], "my photos/caf\u00e9 + 1%.jpg")

    def test_inventory_rows(self):
        # The rules for a delimited file: quotes hold commas and newlines,
        # missing fields are empty strings, extra ones are left out.
        body = b'"b","a,b","1"\n"b","two\nlines","2","extra"\n"b","short"\n'
        self.assertEqual(reader.inventory_items(body, ["Bucket", "Key", "Size"]), [
            {"Bucket": "b", "Key": "a,b", "Size": "1"},
            {"Bucket": "b", "Key": "two\nlines", "Size": "2"},
            {"Bucket": "b", "Key": "short", "Size": ""},
        ])
        self.assertEqual(len(reader.inventory_items(body, ["Bucket", "Key", "Size"], limit=2)), 2)
        with self.assertRaisesRegex(reader.ReaderError, "row 2 of f is blank"):
            reader.inventory_items(b'"b","k","1"\n\n"b","k","1"\n', ["Bucket", "Key", "Size"], "f")

    def test_inventory_refused(self):
        def manifest(**fields):
            return json.dumps({**INVENTORY_MANIFEST, **fields}).encode()

        for name, body, want in [
            # "The output format of your Amazon S3 inventory report must be CSV."
            ("ORC", manifest(fileFormat="ORC"), "in 'ORC': the output format"),
            ("Parquet", manifest(fileFormat="Parquet"), "in 'Parquet': the output format"),
            ("no schema", manifest(fileSchema=""), "has no fileSchema"),
            ("another bucket", manifest(destinationBucket="arn:aws:s3:::elsewhere"), "names destinationBucket"),
            ("no files", manifest(files=None), "has no list of files"),
            ("not a manifest", b"[]", "is not an S3 Inventory manifest"),
            ("not JSON", b"{", "is not JSON"),
        ]:
            with self.subTest(name), self.assertRaises(reader.ReaderError) as cm:
                reader.inventory(body, "amzn-s3-demo-inventory", "s3://b/manifest.json")
            self.assertIn(want, str(cm.exception))
        columns, keys = reader.inventory(manifest(files=[]), "amzn-s3-demo-inventory")
        self.assertEqual(keys, [])


class VariableLimitsTest(unittest.TestCase):
    """workflow-variables.html: 256 KiB a variable, 256 KiB the variables of
    one Assign, 10 MiB those of an execution."""

    def text(self, n):
        return "x" * (n - 2)  # n bytes of JSON with its quotes

    def test_limits(self):
        kib = 1024
        for name, assigned, before, want in [
            ("a variable of 256 KiB", {"a": self.text(256 * kib)}, {}, None),
            ("one byte more", {"a": self.text(256 * kib + 1)}, {}, "'a' would hold 262145 bytes"),
            ("UTF-8 bytes", {"a": "\u00e9" * (128 * kib)}, {}, "'a' would hold 262146 bytes"),
            ("an Assign of 256 KiB", {"a": self.text(128 * kib), "b": self.text(128 * kib)}, {}, None),
            ("one byte more", {"a": self.text(128 * kib), "b": self.text(128 * kib + 1)}, {},
             "one Assign would hold 262145 bytes"),
            ("10 MiB in all", {"a": self.text(256 * kib)}, {f"v{i}": self.text(256 * kib) for i in range(39)}, None),
            ("one byte more", {"a": self.text(256 * kib)}, {"z": 1, **{f"v{i}": self.text(256 * kib) for i in range(39)}},
             "would hold 10485761 bytes, over the 10485760-byte limit of an execution"),
            ("a variable replaced", {"v0": self.text(256 * kib)}, {f"v{i}": self.text(256 * kib) for i in range(40)}, None),
        ]:
            with self.subTest(name):
                got = variables.over_limit(assigned, before)
                if want is None:
                    self.assertIsNone(got)
                else:
                    self.assertIn(want, got or "")


# input-output-resultwriter.html: the Map's output when it exports results.
MAP_RUN_ARN = "arn:aws:states:us-east-2:123456789012:mapRun:csvProcess/Map:ad9b5f27-090b-3ac6-9beb-243cd77144a7"
WHERE = "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/"
MACHINE = "arn:aws:states:us-east-2:123456789012:stateMachine:csvProcess/Map"
T0 = datetime.datetime(2025, 2, 4, 1, 49, 50, 99000, tzinfo=datetime.timezone.utc)
T1 = datetime.datetime(2025, 2, 4, 1, 49, 50, 163000, tzinfo=datetime.timezone.utc)


def run(index, status, **kw):
    name = f"{index:08d}-abab-3b27-9a77-a277ed4f3ec2"
    r = results.ChildRun(index=index, name=name, execution_arn=f"arn:aws:states:us-east-2:123456789012:execution:csvProcess/Map:{name}",
                         input={"Items": [{"n": index}]}, status=status, **kw)
    if status != results.PENDING:
        r.start, r.stop = T0, T1
    return r


class ResultsTest(unittest.TestCase):
    def test_documented_location(self):
        self.assertEqual(results.directory("csvProcessJobs", MAP_RUN_ARN), WHERE)
        self.assertEqual(results.directory("csvProcessJobs/", MAP_RUN_ARN), WHERE)

    def test_documented_manifest(self):
        files = results.result_files([run(0, "SUCCEEDED", output={"sum": 1})], WHERE, "NONE", "JSON", MACHINE, False)
        self.assertEqual([(g, k) for g, k, _ in files], [("SUCCEEDED", WHERE + "SUCCEEDED_0.json")])
        self.assertEqual(results.manifest("amzn-s3-demo-destination-bucket", MAP_RUN_ARN, files), {
            "DestinationBucket": "amzn-s3-demo-destination-bucket",
            "MapRunArn": MAP_RUN_ARN,
            "ResultFiles": {
                "FAILED": [],
                "PENDING": [],
                "SUCCEEDED": [{"Key": WHERE + "SUCCEEDED_0.json", "Size": len(files[0][2])}],
            },
        })

    def test_none_record(self):
        # The fields of the page's NONE example; Input and Output are JSON text.
        r = run(0, "SUCCEEDED", output=[{"order": 1}])
        self.assertEqual(results.record(r, MACHINE, False), {
            "ExecutionArn": r.execution_arn,
            "Input": '{"Items":[{"n":0}]}',
            "InputDetails": {"Included": True},
            "Name": r.name,
            "Output": '[{"order":1}]',
            "OutputDetails": {"Included": True},
            "RedriveCount": 0,
            "RedriveStatus": "NOT_REDRIVABLE",
            "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            "StartDate": "2025-02-04T01:49:50.099Z",
            "StateMachineArn": MACHINE,
            "Status": "SUCCEEDED",
            "StopDate": "2025-02-04T01:49:50.163Z",
        })
        failed = results.record(run(1, "FAILED", error="States.TaskFailed", cause="boom"), MACHINE, True)
        self.assertEqual((failed["Error"], failed["Cause"], failed["RedriveStatus"]), ("States.TaskFailed", "boom", "REDRIVABLE_BY_MAP_RUN"))
        self.assertNotIn("RedriveStatusReason", failed)
        self.assertNotIn("Output", failed)
        pending = results.record(run(2, "PENDING"), MACHINE, True)
        self.assertEqual(set(pending), {"ExecutionArn", "Input", "InputDetails", "Name", "StateMachineArn", "Status"})

    def test_compact_writes_outputs_and_failed_children_whole(self):
        runs = [
            run(2, "SUCCEEDED", output={"objects": 2}),
            run(0, "SUCCEEDED", output={"objects": 1}),
            run(1, "FAILED", error="S3UnavailableError", cause="{}"),
            run(3, "TIMED_OUT", error="States.Timeout"),
            run(4, "PENDING"),
        ]
        files = {g: json.loads(b) for g, _, b in results.result_files(runs, WHERE, "COMPACT", "JSON", MACHINE, True)}
        self.assertEqual(files["SUCCEEDED"], [{"objects": 1}, {"objects": 2}])  # item order
        self.assertEqual([(r["Status"], r["Error"]) for r in files["FAILED"]], [("FAILED", "S3UnavailableError"), ("TIMED_OUT", "States.Timeout")])
        self.assertEqual([json.loads(r["Input"]) for r in files["FAILED"]], [{"Items": [{"n": 1}]}, {"Items": [{"n": 3}]}])
        self.assertEqual([r["Status"] for r in files["PENDING"]], ["PENDING"])

    def test_flatten(self):
        runs = [run(0, "SUCCEEDED", output=[1, 2]), run(1, "SUCCEEDED", output={"a": 1}), run(2, "FAILED", error="E")]
        got = results.inline_output(runs, "FLATTEN", MACHINE, False)
        self.assertEqual(got[:3], [1, 2, {"a": 1}])
        self.assertEqual(got[3]["Status"], "FAILED")

    def test_jsonl(self):
        runs = [run(0, "SUCCEEDED", output={"a": 1}), run(1, "SUCCEEDED", output={"b": 2})]
        (_, _, body), = results.result_files(runs, WHERE, "COMPACT", "JSONL", MACHINE, False)
        self.assertEqual(body, b'{"a":1}\n{"b":2}\n')

    def test_split_files(self):
        runs = [run(i, "SUCCEEDED", output={"n": "x" * 50}) for i in range(10)]
        files = results.result_files(runs, WHERE, "COMPACT", "JSON", MACHINE, False, max_file_bytes=200)
        self.assertGreater(len(files), 1)
        self.assertEqual([k for _, k, _ in files], [f"{WHERE}SUCCEEDED_{i}.json" for i in range(len(files))])
        self.assertEqual([e for _, _, b in files for e in json.loads(b)], [{"n": "x" * 50}] * 10)
        for _, _, b in files:
            self.assertLessEqual(len(b), 200)


class RedriveStatusTest(unittest.TestCase):
    """API_DescribeExecution.html: redriveStatus and redriveStatusReason, of
    an execution and of the children a result file records."""

    def test_children(self):
        for status, express, want in [
            ("SUCCEEDED", True, {"RedriveStatus": "NOT_REDRIVABLE", "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"}),
            ("SUCCEEDED", False, {"RedriveStatus": "NOT_REDRIVABLE", "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"}),
            # An EXPRESS child is re-run only by a redrive of its Map Run
            # (StartExecution); a STANDARD one can be redriven itself.
            ("FAILED", True, {"RedriveStatus": "REDRIVABLE_BY_MAP_RUN"}),
            ("TIMED_OUT", True, {"RedriveStatus": "REDRIVABLE_BY_MAP_RUN"}),
            ("ABORTED", True, {"RedriveStatus": "REDRIVABLE_BY_MAP_RUN"}),
            ("FAILED", False, {"RedriveStatus": "REDRIVABLE"}),
        ]:
            with self.subTest(status=status, express=express):
                self.assertEqual(results.redrive_status(run(0, status), express), want)

    def test_redriven_record(self):
        r = run(0, "SUCCEEDED", output={})
        r.redrive_count = 2
        self.assertEqual(results.record(r, MACHINE, False)["RedriveCount"], 2)

    def test_execution(self):
        stopped = T1
        for name, sm_type, exec_status, at, want in [
            ("failed", StateMachineType.STANDARD, ExecutionStatus.FAILED, T1, ("REDRIVABLE", None)),
            ("aborted", StateMachineType.STANDARD, ExecutionStatus.ABORTED, T1, ("REDRIVABLE", None)),
            ("timed out", StateMachineType.STANDARD, ExecutionStatus.TIMED_OUT, T1, ("REDRIVABLE", None)),
            ("running", StateMachineType.STANDARD, ExecutionStatus.RUNNING, T1,
             ("NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven")),
            ("succeeded", StateMachineType.STANDARD, ExecutionStatus.SUCCEEDED, T1,
             ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")),
            ("14 days after", StateMachineType.STANDARD, ExecutionStatus.FAILED, T1 + datetime.timedelta(days=14), ("REDRIVABLE", None)),
            ("later", StateMachineType.STANDARD, ExecutionStatus.FAILED, T1 + datetime.timedelta(days=14, seconds=1),
             ("NOT_REDRIVABLE", "Execution redrivable period exceeded")),
            ("EXPRESS", StateMachineType.EXPRESS, ExecutionStatus.FAILED, T1, ("NOT_REDRIVABLE",
             "Execution is of an EXPRESS state machine and cannot be redriven")),
        ]:
            with self.subTest(name):
                e = types.SimpleNamespace(sm_type=sm_type, exec_status=exec_status, stop_date=stopped)
                self.assertEqual(redrive.status(e, at), want)


class CountsTest(unittest.TestCase):
    """API_MapRunItemCounts.html: each count is the items whose child is in
    that state now; total is every item of the Map Run."""

    def test_all_succeeded(self):
        # Three items, each its own child, all written: as a Map Run of
        # three Pass children reports them.
        runs = [run(i, "SUCCEEDED", output={}) for i in range(3)]
        for r in runs:
            r.written = True
        got = counts.counts(runs, [1, 1, 1])
        self.assertEqual(got, {"aborted": 0, "failed": 0, "pending": 0, "resultsWritten": 3, "running": 0, "succeeded": 3,
                               "timedOut": 0, "total": 3, "failuresNotRedrivable": 0, "pendingRedrive": 0})

    def test_batches_in_every_state(self):
        statuses = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING", "PENDING", "PENDING_REDRIVE"]
        runs = [run(i, s) for i, s in enumerate(statuses)]
        runs[0].written = runs[1].written = True
        sizes = [1, 2, 4, 8, 16, 32, 64]
        got = counts.counts(runs, sizes)
        self.assertEqual(got, {"succeeded": 1, "failed": 2, "timedOut": 4, "aborted": 8, "running": 16, "pending": 32,
                               "pendingRedrive": 64, "total": 127, "resultsWritten": 3, "failuresNotRedrivable": 0})
        self.assertEqual(counts.counts(runs, [1] * len(runs))["total"], 7)


class AwsSdkTest(unittest.TestCase):
    """supported-services-awssdk.html: parameters in PascalCase "even if the
    native service API is in camelCase", and the response likewise."""

    def setUp(self):
        self.model = boto3.client("stepfunctions", region_name="us-east-1").meta.service_model

    def test_documented_parameter(self):
        # The page's example: startSyncExecution takes StateMachineArn.
        op = self.model.operation_model("StartSyncExecution")
        self.assertEqual(awssdk.to_request({"StateMachineArn": "arn:m", "Input": "{}"}, op.input_shape),
                         {"stateMachineArn": "arn:m", "input": "{}"})

    def test_describe_map_run(self):
        op = self.model.operation_model("DescribeMapRun")
        self.assertEqual(awssdk.to_request({"MapRunArn": "arn:r"}, op.input_shape), {"mapRunArn": "arn:r"})
        response = {"mapRunArn": "arn:r", "status": "SUCCEEDED", "startDate": T0, "redriveCount": 0,
                    "itemCounts": {"total": 3, "timedOut": 0, "pendingRedrive": 0}}
        self.assertEqual(awssdk.from_response(response, op.output_shape), {
            "MapRunArn": "arn:r", "Status": "SUCCEEDED", "StartDate": "2025-02-04T01:49:50.099Z", "RedriveCount": 0,
            "ItemCounts": {"Total": 3, "TimedOut": 0, "PendingRedrive": 0}})

    def test_unknown_parameter_left_for_the_api(self):
        op = self.model.operation_model("StartExecution")
        self.assertEqual(awssdk.to_request({"Name": "n", "Unknown": 1}, op.input_shape), {"name": "n", "Unknown": 1})


def machine(map_state, query_language="JSONata"):
    return json.dumps({"QueryLanguage": query_language, "StartAt": "M", "States": {"M": map_state}})


def distributed_map(**fields):
    state = {
        "Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    state.update(fields)
    return state


def get_object(config, **fields):
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
            **(fields or {"Arguments": {"Bucket": "b", "Key": "k"}})}


class DefinitionTest(unittest.TestCase):
    WRITER = {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "b", "Prefix": "results"},
              "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}

    def test_set_aside(self):
        batcher = {"MaxItemsPerBatch": "{% $number('20') %}", "MaxInputBytesPerBatch": 4096, "BatchInput": {"b": "x"}}
        reduced, extras = definition.set_aside(machine(distributed_map(
            ItemBatcher=batcher, ToleratedFailurePercentage=5, ResultWriter=self.WRITER)))
        m = json.loads(reduced)["States"]["M"]
        for field in ("ItemBatcher", "ToleratedFailurePercentage", "ResultWriter"):
            self.assertNotIn(field, m)
        self.assertNotIn("ExecutionType", m["ItemProcessor"]["ProcessorConfig"])
        x = extras["M"]
        self.assertEqual((x.item_batcher, x.express, x.result_writer, x.tolerated_percentage_literal),
                         (batcher, True, self.WRITER, 5.0))
        self.assertEqual((x.jsonata, x.tolerated_percentage, x.tolerated_count), (True, True, False))

    def test_reader_config_set_aside(self):
        for config in ({"InputType": "JSONL", "MaxItems": "{% $n %}"}, {"InputType": "JSON", "MaxItems": 0},
                       {"InputType": "MANIFEST"}, {"ManifestType": "S3_INVENTORY"}):
            with self.subTest(config=config):
                reduced, extras = definition.set_aside(machine(distributed_map(ItemReader=get_object(config))))
                self.assertEqual(json.loads(reduced)["States"]["M"]["ItemReader"],
                                 {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "b", "Key": "k"}})
                self.assertEqual(extras["M"].reader_config, config)
        # JSONPath: Parameters, with paths.
        reduced, extras = definition.set_aside(machine(distributed_map(ItemReader={
            "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL", "MaxItems": 5},
            "Parameters": {"Bucket": "b", "Key.$": "$.key", "VersionId": "v1"}}), "JSONPath"))
        self.assertEqual(extras["M"].reader_config, {"InputType": "JSONL", "MaxItems": 5})

    def test_untouched_without_distributed_map(self):
        text = machine({"Type": "Pass", "End": True})
        self.assertEqual(definition.set_aside(text), (text, {}))

    def test_refused(self):
        for name, state, want in [
            ("Comment in ResultWriter", distributed_map(ResultWriter={**self.WRITER, "Comment": "c"}),
             'SCHEMA_VALIDATION_FAILED: The field "Comment" is not supported by Step Functions at /States/M/ResultWriter'),
            ("Parameters in a JSONata ResultWriter", distributed_map(ResultWriter={**self.WRITER, "Parameters": {}}),
             'The field "Parameters" is not supported'),
            ("unknown WriterConfig value", distributed_map(ResultWriter={**self.WRITER, "WriterConfig": {"Transformation": "ALL"}}),
             "Transformation must be one of NONE, COMPACT, FLATTEN"),
            ("empty ItemBatcher", distributed_map(ItemBatcher={}), "needs MaxItemsPerBatch or MaxInputBytesPerBatch"),
            ("ItemBatcher over 256 KiB", distributed_map(ItemBatcher={"MaxInputBytesPerBatch": 262145}), "at most 262144"),
            ("unknown ItemBatcher field", distributed_map(ItemBatcher={"MaxItemsPerBatch": 2, "Comment": "c"}),
             'The field "Comment" is not supported'),
            ("not emulated", distributed_map(ItemBatcher={"MaxItemsPerBatchPath": "$.n"}), "does not emulate"),
            ("MaxItems of a listing", distributed_map(ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2",
                                                                  "ReaderConfig": {"MaxItems": 10}}), "does not emulate"),
            ("percentage over 100", distributed_map(ToleratedFailurePercentage=101), "between 0 and 100"),
            ("unknown InputType", distributed_map(ItemReader=get_object({"InputType": "XML"})),
             "SCHEMA_VALIDATION_FAILED: InputType must be one of CSV, JSON, JSONL, PARQUET, MANIFEST"),
            ("InputType with S3_INVENTORY", distributed_map(ItemReader=get_object({"InputType": "MANIFEST", "ManifestType": "S3_INVENTORY"})),
             "InputType must not be given with ManifestType S3_INVENTORY"),
            ("no InputType", distributed_map(ItemReader=get_object({"MaxItems": 1})), "ReaderConfig needs an InputType"),
            ("unknown ReaderConfig field", distributed_map(ItemReader=get_object({"InputType": "JSONL", "Comment": "c"})),
             'The field "Comment" is not supported by Step Functions at /States/M/ItemReader/ReaderConfig'),
            ("MaxItems too large", distributed_map(ItemReader=get_object({"InputType": "JSONL", "MaxItems": 100_000_001})),
             "MaxItems must be an integer from 0 to 100000000"),
            ("no Key", distributed_map(ItemReader=get_object({"InputType": "JSONL"}, Arguments={"Bucket": "b"})),
             "ItemReader needs Arguments with a Bucket and a Key"),
            ("CSV", distributed_map(ItemReader=get_object({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"})),
             'does not emulate "InputType CSV"'),
            ("PARQUET", distributed_map(ItemReader=get_object({"InputType": "PARQUET"})), 'does not emulate "InputType PARQUET"'),
            ("Athena", distributed_map(ItemReader=get_object({"InputType": "JSONL", "ManifestType": "ATHENA_DATA"})),
             'does not emulate "ManifestType ATHENA_DATA"'),
            ("ItemsPointer", distributed_map(ItemReader=get_object({"InputType": "JSON", "ItemsPointer": "/a"})),
             'does not emulate "ItemsPointer"'),
            ("MaxItemsPath", distributed_map(ItemReader=get_object({"InputType": "JSON", "MaxItemsPath": "$.n"})),
             'does not emulate "MaxItemsPath"'),
            ("Range", distributed_map(ItemReader=get_object({"InputType": "JSONL"}, Arguments={"Bucket": "b", "Key": "k", "Range": "bytes=0-9"})),
             'does not emulate "Range in an s3:getObject ItemReader"'),
            ("a variable of a Choice state and its rule", {"Type": "Choice", "Assign": {"x": 1}, "Default": "M2",
                                                          "Choices": [{"Condition": "{% true %}", "Next": "M2", "Assign": {"x": 2}}]},
             'does not emulate "variable x assigned by both a Choice state and its rule"'),
            ("no ReaderConfig", distributed_map(ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                                            "Arguments": {"Bucket": "b", "Key": "k"}}),
             "does not emulate \"an s3:getObject ItemReader without a ReaderConfig\""),
        ]:
            with self.subTest(name), self.assertRaises(definition.DefinitionError) as cm:
                definition.set_aside(machine(state))
            self.assertIn(want, str(cm.exception))


if __name__ == "__main__":
    unittest.main()
