"""A Distributed Map's run as AWS documents it, inside moto's interpreter.

moto 5.2.1 lists one page of keys (ListObjectsV2 is called once), runs every
item as its own child, ignores children that fail (the run succeeds with
null results) and writes an empty manifest. Two of its functions are
replaced:

  - the s3:listObjectsV2 ItemReader pages through every key (listing.py) and
    reports a failed listing as States.ItemReaderFailed;
  - DistributedIterationComponent._map_run, the run itself: each item through
    the ItemSelector, then the ItemBatcher (batching.py); the child
    executions, at most MaxConcurrency at once, each one's outcome kept; the
    failure tolerance (tolerance.py); the ResultWriter (results.py).

https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
describes the run. The children run as moto runs them, whatever their
ExecutionType: an EXPRESS child's 5-minute bound is not enforced here.
"""

import datetime
import json
import threading
import uuid

from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3 import (
    ResourceEvalS3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.max_concurrency import (
    DEFAULT_MAX_CONCURRENCY_VALUE,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.program_state import (
    ProgramError,
    ProgramStopped,
    ProgramTimedOut,
)
from moto.stepfunctions.parser.asl.eval.states import ItemData, MapData
from moto.stepfunctions.parser.asl.eval.variable_store import VariableStore
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.parser.utils import TMP_THREADS

from moto.core.config import default_user_config

from . import batching, listing, patch, redrive, results, tolerance

# The functions replaced, as in moto 5.2.1.
LIST_OBJECTS_DIGEST = "f4a476c93e91515c"
MAP_RUN_DIGEST = "e45cb604929ff346"

# With no MaxConcurrency (0), AWS runs up to 10,000 child executions at once
# (state-map-distributed.html).
UNBOUNDED_CONCURRENCY = 10_000


def install():
    patch.replace(ResourceEvalS3, "_handle_list_objects_v2", handle_list_objects_v2, LIST_OBJECTS_DIGEST)
    patch.replace(DistributedIterationComponent, "_map_run", map_run, MAP_RUN_DIGEST)


def failure(env, typ, cause):
    """The exception that ends the Map Run with error typ and cause."""
    name = StatesErrorName(typ=typ)
    return FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=name,
            event_type=HistoryEventType.MapRunFailed,
            event_details=EventDetails(
                mapRunFailedEventDetails=MapRunFailedEventDetails(error=name.error_name, cause=cause)
            ),
        )
    )


def describe(ex):
    """An S3 error as a Cause: its code and message. (AWS's exact wording of
    such a Cause is not documented.)"""
    err = getattr(ex, "response", {}).get("Error", {})
    if err:
        return f"{err.get('Code')}: {err.get('Message')}"
    return f"{type(ex).__name__}: {ex}"


def handle_list_objects_v2(env, resource_runtime_part, state_credentials):
    """The ItemReader's s3:listObjectsV2: every page, AWS's item shape. A
    Map Run being redriven lists nothing: it re-runs the inputs of its
    children (redrive.py)."""
    arguments = env.stack.pop()
    if redrive.take_listing_skip(env):
        env.stack.append([])
        return
    client = boto_client_for(region=resource_runtime_part.region, service="s3", state_credentials=state_credentials)
    try:
        items = listing.list_items(client.list_objects_v2, arguments)
    except Exception as ex:
        raise failure(env, StatesErrorNameType.StatesItemReaderFailed, describe(ex))
    env.stack.append(items)


def map_run(self, env, eval_input):
    """Runs the Map's children and pushes the Map's result (see module doc).

    A Map Run that redrive.py adopted for a redrive (its twin_previous is
    the record of the Map Run before) keeps its child executions: those that
    succeeded are not run again, the others are, with their inputs, and the
    items are not listed again (redrive-map-run.html).
    """
    x = getattr(self, "twin_extras", None)
    if x is None:
        raise RuntimeError("twin: a Distributed Map without the fields set aside when its definition was read")
    items = env.stack.pop()
    state_input = env.stack[-1]
    record = eval_input.map_run_record
    previous = getattr(record, "twin_previous", None)

    if previous is not None:
        runs, sizes = previous.twin_runs, previous.twin_sizes
        rerun = [r for r in runs if r.status != results.SUCCEEDED]
        for r in rerun:
            prepare_redrive(r, record, x.express)
    else:
        try:
            inputs, sizes = child_inputs(env, eval_input, x, items, state_input)
        except batching.BatchError as ex:
            raise failure(env, StatesErrorNameType.StatesRuntime, f"ItemBatcher: {ex}")
        runs = []
        for i, child_input in enumerate(inputs):
            name = str(uuid.uuid4())
            runs.append(results.ChildRun(index=i, name=name, execution_arn=child_arn(record, x.express, name), input=child_input))
        rerun = runs
    # Kept on the record: DescribeMapRun's counts (counts.py) and a later
    # redrive read them.
    record.twin_runs, record.twin_sizes, record.twin_state_name = runs, sizes, eval_input.state_name

    count = eval_input.tolerated_failure_count if x.tolerated_count else None
    percentage = eval_input.tolerated_failure_percentage if x.tolerated_percentage else None
    total_items = sum(sizes)

    def over(failed_items):
        return tolerance.exceeded(failed_items, total_items, count, percentage)

    run_children(self, env, record, x, rerun, sizes, over)
    failed_items = sum(sizes[r.index] for r in runs if results.group(r) == results.FAILED)
    written = runs if previous is None or redriven_results() == "all" else rerun
    output = write_results(env, record, x, written, state_input)
    if over(failed_items):
        raise failure(env, StatesErrorNameType.StatesExceedToleratedFailureThreshold, tolerance.CAUSE)
    env.stack.append(output)


# What the ResultWriter writes after a redriven Map Run, which AWS does not
# document: "all", a manifest and result files of every child execution of
# the Map Run, those that succeeded before included (the default); or
# "rerun", only those the redrive ran. The tests set "rerun" to give the
# Total a manifest that leaves children out:
#   POST /moto-api/config {"stepfunctions": {"execute_state_machine": true, "twin_redriven_results": "rerun"}}
REDRIVEN_RESULTS = ("all", "rerun")


def redriven_results():
    value = default_user_config.get("stepfunctions", {}).get("twin_redriven_results", "all")
    if value not in REDRIVEN_RESULTS:
        raise RuntimeError(f"twin: twin_redriven_results is {value!r}, not one of {REDRIVEN_RESULTS}")
    return value


def prepare_redrive(run, record, express):
    """Readies a child that did not succeed to run again in a redrive of its
    Map Run: a STANDARD child is redriven (RedriveExecution: the same ARN, its
    RedriveCount one more), an EXPRESS one started again (StartExecution: a
    new execution); one that never started stays PENDING
    (API_RedriveExecution.html, redrive-map-run.html)."""
    if run.status != results.PENDING:
        run.status = results.PENDING_REDRIVE
        if express:
            run.name = str(uuid.uuid4())
            run.execution_arn = child_arn(record, True, run.name)
            run.redrive_count = 0
        else:
            run.redrive_count += 1
    run.output = run.error = run.cause = run.start = run.stop = None
    run.written = False


def child_inputs(env, eval_input, x, items, state_input):
    """The children's inputs and how many items each holds.

    The ItemSelector (or Parameters) is applied to each item first, with
    $states.context.Map.Item the item and its index; then, with an
    ItemBatcher, the selected items are batched (input-output-itembatcher.html).
    """
    selector = eval_input.item_selector or eval_input.parameters
    selected = [select(env, selector, i, item, state_input) for i, item in enumerate(items)]
    if x.item_batcher is None:
        return selected, [1] * len(selected)
    b = evaluate(env, x.item_batcher, state_input, x.jsonata)
    batches = batching.make_batches(
        selected,
        max_items=integral(b.get("MaxItemsPerBatch")),
        max_bytes=integral(b.get("MaxInputBytesPerBatch")),
        batch_input=b.get("BatchInput"),
    )
    return batches, [len(c["Items"]) for c in batches]


def integral(v):
    """A JSON number that is an integer as an int (JSONata's 20 may come as 20.0)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def select(env, selector, index, item, state_input):
    """item through the ItemSelector, evaluated as moto evaluates it for a child."""
    if selector is None:
        return item
    frame = env.open_inner_frame()
    try:
        frame.states.context_object.context_object_data["Map"] = MapData(Item=ItemData(Index=index, Value=item))
        frame.states.reset(input_value=state_input)
        frame.stack.append(state_input)
        selector.eval(frame)
        return frame.stack[-1]
    finally:
        env.delete_frame(frame)


def evaluate(env, value, state_input, jsonata):
    """value with each JSONata expression ("{% ... %}") evaluated against the
    Map's input; in a JSONPath state every value is a literal."""
    if not jsonata:
        return value
    frame = env.open_inner_frame()
    frame.states.reset(input_value=state_input)

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(e) for k, e in v.items()}
        if isinstance(v, list):
            return [walk(e) for e in v]
        if isinstance(v, str) and v.startswith("{%") and v.endswith("%}"):
            StringJSONata(v[2:-2].strip()).eval(frame)
            return frame.stack.pop()
        return v

    try:
        return walk(value)
    finally:
        env.delete_frame(frame)


def child_arn(record, express, name):
    """A child execution's ARN, as result records show it: a STANDARD child is
    an execution of <machine>/<label>, an EXPRESS one is named within the Map
    Run."""
    head, _, machine = record.map_state_machine_arn.partition(":stateMachine:")
    if express:
        return f"{head}:express:{machine}:{record.map_run_arn.rsplit(':', 1)[-1]}:{name}"
    return f"{head}:execution:{machine}:{name}"


def run_children(component, env, record, x, runs, sizes, over):
    """Runs the child executions runs, MaxConcurrency at a time. Once
    over(failed items) holds, no further child starts (those stay pending)
    and the children still running are stopped: they end ABORTED, as AWS
    counts the children "stopped by Step Functions, because the Map Run
    failed" (API_MapRunItemCounts.html). So does a stop of the execution."""
    program = component._get_iteration_program()
    lock = threading.Lock()
    state = {"next": 0, "failed_items": 0, "stop": False, "error": None}
    running = {}  # run index -> its frame

    def take():
        """The next run and a frame to run it in, or None."""
        with lock:
            if state["stop"] or state["next"] >= len(runs) or not env.is_running():
                return None
            run = runs[state["next"]]
            state["next"] += 1
            frame = env.open_inner_frame()
            # A child reads none of the variables outside the Map
            # (workflow-variables.html; see variables.py).
            frame.variable_store = VariableStore()
            running[run.index] = frame
            run.status = results.RUNNING
            return run, frame

    def done(run):
        with lock:
            running.pop(run.index, None)
            if results.group(run) == results.FAILED:
                state["failed_items"] += sizes[run.index]
                if not state["stop"] and over(state["failed_items"]):
                    state["stop"] = True
                    for frame in running.values():
                        frame.set_stop(stop_date=now(), cause=tolerance.CAUSE, error=None)

    def work():
        try:
            while (taken := take()) is not None:
                run, frame = taken
                run_child(env, program, run, frame)
                done(run)
        except Exception as ex:  # a defect here, not a child's failure
            with lock:
                state["stop"], state["error"] = True, ex

    limit = record.max_concurrency
    workers = min(len(runs), UNBOUNDED_CONCURRENCY if limit == DEFAULT_MAX_CONCURRENCY_VALUE else limit)
    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for t in threads:
        TMP_THREADS.append(t)
        t.start()
    for t in threads:
        t.join()
    if state["error"] is not None:
        raise state["error"]


def now():
    return datetime.datetime.now(tz=datetime.timezone.utc)


def run_child(env, program, run, frame):
    """Runs one child execution, in frame, to its end and records how it ended."""
    run.start = now()
    try:
        frame.states.reset(input_value=run.input)
        frame.stack.append(frame.states.get_input())
        program.eval(frame)
        end = frame.program_state()
        if isinstance(end, ProgramError):
            error = end.error or {}
            run.status, run.error, run.cause = results.FAILED, error.get("error"), error.get("cause")
        elif isinstance(end, ProgramStopped):
            run.status = results.ABORTED
        elif isinstance(end, ProgramTimedOut):
            run.status = results.TIMED_OUT
        else:
            run.status, run.output = results.SUCCEEDED, frame.states.get_input()
    except EvalTimeoutError:
        run.status = results.TIMED_OUT
    except FailureEventException as ex:
        error, cause = ex.extract_error_cause_pair() or (None, None)
        run.status, run.error, run.cause = results.FAILED, error, cause
    except Exception as ex:
        if isinstance(frame.program_state(), ProgramStopped):
            run.status = results.ABORTED  # stopped as it was starting
        else:
            run.status, run.error, run.cause = results.FAILED, "States.Runtime", f"{type(ex).__name__}: {ex}"
    finally:
        run.stop = now()
        env.delete_frame(frame)


def write_results(env, record, x, runs, state_input):
    """The Map's result: written to S3 by the ResultWriter's Resource, or the
    children's outputs (input-output-resultwriter.html)."""
    w = x.result_writer or {}
    config = w.get("WriterConfig") or {}
    exported = "Resource" in w
    transformation = config.get("Transformation", "NONE" if exported else "COMPACT")
    output_type = config.get("OutputType", "JSON")
    machine = record.map_state_machine_arn
    if not exported:
        return results.inline_output(runs, transformation, machine, x.express)

    args = evaluate(env, w["Arguments" if x.jsonata else "Parameters"], state_input, x.jsonata)
    bucket, prefix = args.get("Bucket"), args.get("Prefix", "")
    if not isinstance(bucket, str) or not isinstance(prefix, str):
        raise failure(env, StatesErrorNameType.StatesResultWriterFailed,
                      f"ResultWriter needs a string Bucket and Prefix, not {bucket!r} and {prefix!r}")
    where = results.directory(prefix, record.map_run_arn)
    files = results.result_files(runs, where, transformation, output_type, machine, x.express)
    manifest_key = where + "manifest.json"
    manifest = json.dumps(results.manifest(bucket, record.map_run_arn, files)).encode("utf-8")
    client = boto_client_for(
        region=record.map_run_arn.split(":")[3],
        service="s3",
        state_credentials=StateCredentials(role_arn=env.aws_execution_details.role_arn),
    )
    try:
        for _, key, body in files:
            client.put_object(Bucket=bucket, Key=key, Body=body)
        client.put_object(Bucket=bucket, Key=manifest_key, Body=manifest)
    except Exception as ex:
        raise failure(env, StatesErrorNameType.StatesResultWriterFailed, describe(ex))
    for r in runs:
        r.written = results.group(r) != results.PENDING
    return {"MapRunArn": record.map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}
