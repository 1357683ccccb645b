"""ResultWriter: what a Distributed Map writes about its child executions.

AWS documents it in
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html.
With a Resource (arn:aws:states:::s3:putObject) and its Bucket and Prefix,
the run writes under <Prefix>/<map run id>/, the map run id being the last
part of the MapRunArn:

  - SUCCEEDED_n.json, FAILED_n.json and PENDING_n.json, the child executions
    grouped by status (PENDING: never started, the run having failed first);
  - manifest.json, {"DestinationBucket", "MapRunArn", "ResultFiles":
    {"FAILED": [...], "PENDING": [...], "SUCCEEDED": [...]}}, each file as
    {"Key", "Size"};

and the Map's output is {"MapRunArn", "ResultWriterDetails": {"Bucket",
"Key"}}, Key being the manifest's.

WriterConfig shapes the records. Transformation NONE (the default with a
Resource) writes each child execution whole: ExecutionArn, Input and Output
as JSON text, Status, Error and Cause when it failed, dates. COMPACT (the
default without a ResultWriter) writes a succeeded child's output alone, and
FLATTEN also spreads an output that is an array; with either, a child that
did not succeed is written whole, as with NONE. OutputType JSON writes a
JSON array, JSONL one record a line.
"""

import dataclasses
import datetime
import json
from typing import Any

SUCCEEDED, FAILED, PENDING = "SUCCEEDED", "FAILED", "PENDING"
TIMED_OUT, ABORTED, RUNNING = "TIMED_OUT", "ABORTED", "RUNNING"
# A child that did not succeed, waiting to run again in a redrive of its
# Map Run (DescribeMapRun's pendingRedrive).
PENDING_REDRIVE = "PENDING_REDRIVE"

# The manifest's groups, in its order. A child that timed out or was
# aborted is filed under FAILED: the page names no other group.
GROUPS = (FAILED, PENDING, SUCCEEDED)

# A result file must fit one S3 PutObject, at most 5 GB; the writer starts
# another file of the same status before that.
MAX_FILE_BYTES = 5 * 1000**3

TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")


@dataclasses.dataclass
class ChildRun:
    """One child execution of a Map Run, or one that never started."""

    index: int
    name: str
    execution_arn: str
    input: Any
    status: str = PENDING  # PENDING, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE
    output: Any = None
    error: str | None = None
    cause: str | None = None
    start: datetime.datetime | None = None
    stop: datetime.datetime | None = None
    redrive_count: int = 0  # times this execution was redriven (a STANDARD child keeps its ARN)
    written: bool = False  # its record is in a result file


def group(run):
    """The manifest group run is filed under: a child that has not run in
    this attempt of its Map Run is PENDING."""
    if run.status in (PENDING, PENDING_REDRIVE):
        return PENDING
    if run.status == SUCCEEDED:
        return SUCCEEDED
    return FAILED


def json_text(value):
    """Compact JSON, as the service writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def timestamp(t):
    """An ISO 8601 UTC timestamp with milliseconds, as the records give dates."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def record(run, state_machine_arn, express):
    """The whole record of a child execution (Transformation NONE)."""
    r = {
        "ExecutionArn": run.execution_arn,
        "Input": json_text(run.input),
        "InputDetails": {"Included": True},
        "Name": run.name,
    }
    if group(run) == PENDING:
        r["StateMachineArn"] = state_machine_arn
        r["Status"] = PENDING
        return r
    if run.status == SUCCEEDED:
        r["Output"] = json_text(run.output)
        r["OutputDetails"] = {"Included": True}
    else:
        if run.error is not None:
            r["Error"] = run.error
        if run.cause is not None:
            r["Cause"] = run.cause
    r["RedriveCount"] = run.redrive_count
    r.update(redrive_status(run, express))
    r["StartDate"] = timestamp(run.start)
    r["StateMachineArn"] = state_machine_arn
    r["Status"] = run.status
    r["StopDate"] = timestamp(run.stop)
    return r


def redrive_status(run, express):
    """RedriveStatus (and RedriveStatusReason) of a child that ran, as
    DescribeExecution documents them (API_DescribeExecution.html): a child
    that succeeded is NOT_REDRIVABLE, with the reason; one that did not is
    re-run by a redrive of its Map Run, an EXPRESS one only that way
    (RedriveExecution does not take EXPRESS executions), a STANDARD one by
    RedriveExecution too."""
    if run.status == SUCCEEDED:
        return {"RedriveStatus": "NOT_REDRIVABLE", "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"}
    return {"RedriveStatus": "REDRIVABLE_BY_MAP_RUN" if express else "REDRIVABLE"}


def elements(run, transformation, state_machine_arn, express):
    """The elements run contributes to its result file or to the Map's output."""
    if run.status != SUCCEEDED or transformation == "NONE":
        return [record(run, state_machine_arn, express)]
    if transformation == "FLATTEN" and isinstance(run.output, list):
        return list(run.output)
    return [run.output]


def inline_output(runs, transformation, state_machine_arn, express):
    """The Map's output without a Resource: every child's elements, in item order."""
    out = []
    for run in sorted(runs, key=lambda r: r.index):
        out.extend(elements(run, transformation, state_machine_arn, express))
    return out


def directory(prefix, map_run_arn):
    """<Prefix>/<map run id>/: where the run's files go."""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix + map_run_arn.rsplit(":", 1)[-1] + "/"


def result_files(runs, where, transformation, output_type, state_machine_arn, express, max_file_bytes=MAX_FILE_BYTES):
    """Returns the result files as (group, key, body) in manifest order.

    where is the run's directory; a group with no child execution has no file.
    Within a file, records follow the items' order.
    """
    files = []
    for name in GROUPS:
        members = sorted((r for r in runs if group(r) == name), key=lambda r: r.index)
        texts = [json_text(e) for r in members for e in elements(r, transformation, state_machine_arn, express)]
        for chunk in _chunks(texts, output_type, max_file_bytes):
            files.append((name, f"{where}{name}_{sum(1 for f in files if f[0] == name)}.json", chunk))
    return files


def _chunks(texts, output_type, max_file_bytes):
    """Encodes texts as one or more files of at most max_file_bytes (at least one element a file)."""
    def encode(part):
        if output_type == "JSONL":
            return "".join(t + "\n" for t in part).encode("utf-8")
        return ("[" + ",".join(part) + "]").encode("utf-8")

    chunks, part, size = [], [], 2
    for t in texts:
        n = len(t.encode("utf-8")) + 1
        if part and size + n > max_file_bytes:
            chunks.append(encode(part))
            part, size = [], 2
        part.append(t)
        size += n
    if part:
        chunks.append(encode(part))
    return chunks


def manifest(bucket, map_run_arn, files):
    """manifest.json's content for the result files written."""
    result_files = {name: [] for name in GROUPS}
    for name, key, body in files:
        result_files[name].append({"Key": key, "Size": len(body)})
    return {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": result_files}
