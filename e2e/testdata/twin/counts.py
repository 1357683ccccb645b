"""DescribeMapRun's counts of a Map Run's items and child executions.

AWS documents them in
https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunItemCounts.html
and API_MapRunExecutionCounts.html: ten counts, each the items (or child
executions) whose child execution is in one state now: pending (not
started), running, succeeded, failed, timedOut, aborted ("stopped by the
user or by Step Functions, because the Map Run failed"), pendingRedrive
(unsuccessful ones waiting to run again in a redrive), failuresNotRedrivable
(none here: every unsuccessful child can be re-run by its Map Run),
resultsWritten (those the ResultWriter wrote) and total (every one of the
Map Run). DescribeMapRun also gives redriveCount and, once redriven,
redriveDate (API_DescribeMapRun.html).

moto 5.2.1 counts children as they start, so a Map Run that stopped early
leaves out the children that never ran, and it has no redrive. The twin
derives every count from the ChildRuns that maprun.py keeps on the record,
so the counts stay true after a redrive.
"""

from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.map_run_record import (
    MapRunRecord,
)
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.parser.api import ResourceNotFound

from . import patch, results

# The functions replaced, as in moto 5.2.1.
DESCRIBE_DIGEST = "943303d6c181c9f4"
DESCRIBE_MAP_RUN_DIGEST = "256cb4a9431e76c6"

COUNT_OF_STATUS = {
    results.PENDING: "pending",
    results.PENDING_REDRIVE: "pendingRedrive",
    results.RUNNING: "running",
    results.SUCCEEDED: "succeeded",
    results.FAILED: "failed",
    results.TIMED_OUT: "timedOut",
    results.ABORTED: "aborted",
}


def install():
    original = None

    def describe(self):
        out = original(self)
        runs = getattr(self, "twin_runs", None)
        if runs is not None:
            out["itemCounts"] = counts(runs, self.twin_sizes)
            out["executionCounts"] = counts(runs, [1] * len(runs))
        out["redriveCount"] = getattr(self, "twin_redrive_count", 0)
        redriven = getattr(self, "twin_redrive_date", None)
        if redriven is not None:
            out["redriveDate"] = iso_8601_datetime_with_milliseconds(redriven)
        return out

    original = patch.replace(MapRunRecord, "describe", describe, DESCRIBE_DIGEST)
    patch.replace(StepFunctionsParserBackend, "describe_map_run", describe_map_run, DESCRIBE_MAP_RUN_DIGEST)


def counts(runs, sizes):
    """The ten counts of runs, each weighing sizes[run.index] (its items, or
    1 for execution counts)."""
    out = {name: 0 for name in ("aborted", "failed", "pending", "resultsWritten", "running", "succeeded",
                                "timedOut", "total", "failuresNotRedrivable", "pendingRedrive")}
    for run in runs:
        n = sizes[run.index]
        out["total"] += n
        out[COUNT_OF_STATUS[run.status]] += n
        if run.written:
            out["resultsWritten"] += n
    return out


def describe_map_run(self, map_run_arn):
    """moto's, but an execution whose worker has not built its environment
    yet (one just started) has no Map Run, instead of failing the call."""
    for execution in self._get_executions():
        env = getattr(execution.exec_worker, "env", None)
        record = env.map_run_record_pool_manager.get(map_run_arn) if env is not None else None
        if record is not None:
            return record.describe()
    raise ResourceNotFound()
