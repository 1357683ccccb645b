"""RedriveExecution, as AWS documents it.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
and https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html:
an execution of a STANDARD state machine that failed, was aborted or timed
out in the last 14 days can be redriven. The redrive "continues the failed
execution from the unsuccessful step and uses the same input": the states
that succeeded are not run again, the execution keeps its ARN and its
history, which goes on after an ExecutionRedriven event, and its
redriveCount grows by one. The variables that the states before it
assigned are the redrive's (workflow-variables.html). The unsuccessful step is the top-level state that
was entered and never exited; a Fail state reached through a Catch is such a
state, and a redrive then runs only it again.

https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html:
when that state is a Distributed Map whose Map Run ran, the redrive redrives
the Map Run, the same Map Run (its ARN and its results directory), whose
failed, aborted, timed-out and pending children run again (EXPRESS ones with
StartExecution) and the succeeded ones do not; then the states after the Map
run as usual. A Map Run that never started (its listing failed) starts.

DescribeExecution gives redriveCount, redriveDate, redriveStatus and
redriveStatusReason (API_DescribeExecution.html). moto 5.2.1 has none of
this: RedriveExecution is unknown to it (an HTML 500).

Not emulated: Inline Map and Parallel states redriving only their failed
iterations and branches (the top-level state is run again whole), the
state machine's TimeoutSeconds in a redriven attempt, and the limits of 1,000
redrives and of the history's 25,000 events.
"""

import copy
import datetime
import threading

from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.stepfunctions.parser.api import (
    ExecutionRedrivenEventDetails,
    ExecutionStatus,
    HistoryEventType,
    StateMachineType,
)
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor.map_run_record import (
    MapRunRecordPoolManager,
)
from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventHistoryContext
from moto.stepfunctions.parser.asl.eval.evaluation_details import EvaluationDetails
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.parser.utils import TMP_THREADS
from moto.stepfunctions.responses import StepFunctionResponse

from . import patch, variables

# The code replaced or relied on, as in moto 5.2.1.
STATE_EVAL_BODY_DIGEST = "035f80caae1290dc"  # CommonStateField._eval_body
DESCRIBE_EXECUTION_DIGEST = "c3953bdc9ce21fda"  # StepFunctionResponse.describe_execution
POOL_ADD_DIGEST = "6e85e22c3b226ace"  # MapRunRecordPoolManager.add: a dict by Map Run ARN
POOL_GET_ALL_DIGEST = "e708c350a132b276"  # MapRunRecordPoolManager.get_all

REDRIVE_PERIOD = datetime.timedelta(days=14)

REDRIVABLE, NOT_REDRIVABLE = "REDRIVABLE", "NOT_REDRIVABLE"


class ExecutionNotRedrivable(AWSError):
    TYPE = "ExecutionNotRedrivable"
    STATUS = 400


def install():
    original_eval_body = None

    def eval_body(self, env):
        # The top-level state entered last, with its input: where a redrive
        # starts if the execution does not end well.
        if not env.is_frame():
            env.twin_entered = (self.name, copy.deepcopy(env.states.get_input()))
        original_eval_body(self, env)

    original_eval_body = patch.replace(CommonStateField, "_eval_body", eval_body, STATE_EVAL_BODY_DIGEST)

    original_describe = None

    def describe_execution(self):
        out = original_describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        out.result.update(redrive_fields(execution))
        return out

    original_describe = patch.replace(StepFunctionResponse, "describe_execution", describe_execution,
                                      DESCRIBE_EXECUTION_DIGEST)
    patch.check(MapRunRecordPoolManager, "add", POOL_ADD_DIGEST)
    patch.check(MapRunRecordPoolManager, "get_all", POOL_GET_ALL_DIGEST)
    patch.add(StepFunctionResponse, "redrive_execution", redrive_execution_action)
    patch.add(StepFunctionsParserBackend, "redrive_execution", redrive)


def now():
    return datetime.datetime.now(tz=datetime.timezone.utc)


def status(execution, at=None):
    """(redriveStatus, redriveStatusReason or None) of an execution, in the
    words DescribeExecution uses (API_DescribeExecution.html)."""
    at = at or now()
    if execution.sm_type == StateMachineType.EXPRESS:
        return NOT_REDRIVABLE, "Execution is of an EXPRESS state machine and cannot be redriven"
    if execution.exec_status in (ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED):
        return NOT_REDRIVABLE, f"Execution is {execution.exec_status.value} and cannot be redriven"
    if execution.stop_date is not None and at - execution.stop_date > REDRIVE_PERIOD:
        return NOT_REDRIVABLE, "Execution redrivable period exceeded"
    return REDRIVABLE, None


def redrive_fields(execution):
    """DescribeExecution's redrive fields."""
    out = {"redriveCount": getattr(execution, "twin_redrive_count", 0)}
    if getattr(execution, "twin_redrive_date", None) is not None:
        out["redriveDate"] = execution.twin_redrive_date
    out["redriveStatus"], reason = status(execution)
    if reason is not None:
        out["redriveStatusReason"] = reason
    return out


_lock = threading.Lock()


def redrive(self, execution_arn, client_token=None):
    """StepFunctionsParserBackend.redrive_execution: redrives the execution
    and returns the redrive's date. A repeated request with the same
    clientToken while that redrive runs gets the same answer."""
    execution = self.describe_execution(execution_arn)
    with _lock:
        if (client_token and client_token == getattr(execution, "twin_client_token", None)
                and execution.exec_status == ExecutionStatus.RUNNING):
            return execution.twin_redrive_date
        redrivable, reason = status(execution)
        env = getattr(execution.exec_worker, "env", None)
        entered = getattr(env, "twin_entered", None)
        if redrivable != REDRIVABLE:
            raise ExecutionNotRedrivable(f"Execution {execution_arn} cannot be redriven: {reason}")
        if entered is None:
            raise ExecutionNotRedrivable(f"Execution {execution_arn} cannot be redriven: it entered no state")
        state_name, state_input = entered
        execution.twin_redrive_count = getattr(execution, "twin_redrive_count", 0) + 1
        execution.twin_redrive_date = now()
        execution.twin_client_token = client_token
        worker = RedriveWorker(execution, env, state_name, state_input)
        execution.exec_status = ExecutionStatus.RUNNING
        execution.stop_date = execution.output = execution.error = execution.cause = None
        execution.exec_worker = worker
        worker.start()
        return execution.twin_redrive_date


def redrive_execution_action(self):
    """StepFunctionResponse.redrive_execution: the RedriveExecution action."""
    date = self.stepfunction_backend.redrive_execution(self._get_param("executionArn"), self._get_param("clientToken"))
    return ActionResult({"redriveDate": date})


class RedrivePool(MapRunRecordPoolManager):
    """The Map Runs of an execution being redriven: those of its attempts
    before, and, when the redrive starts at a Distributed Map whose Map Run
    ran, that Map Run adopted by the first Map Run the redrive creates. The
    adopting record keeps its ARN, its start and its children
    (twin_previous: maprun.py re-runs them), counts one more redrive, and
    takes its place in the pool."""

    def __init__(self, previous, adopt):
        super().__init__()
        self._pool = previous._pool  # the same Map Runs, ListMapRuns' order kept
        self.adopt = adopt
        self.skip_listing = adopt is not None

    def add(self, map_run_record):
        old, self.adopt = self.adopt, None
        if old is None:
            return super().add(map_run_record)
        map_run_record.map_run_arn = old.map_run_arn
        map_run_record.map_state_machine_arn = old.map_state_machine_arn
        map_run_record.start_date = old.start_date
        map_run_record.twin_previous = old
        map_run_record.twin_redrive_count = getattr(old, "twin_redrive_count", 0) + 1
        map_run_record.twin_redrive_date = now()
        self._pool[old.map_run_arn] = map_run_record


def take_listing_skip(env):
    """Whether the ItemReader about to list is that of a redriven Map Run,
    which re-runs its children's inputs instead (once per redrive)."""
    pool = env.map_run_record_pool_manager
    if isinstance(pool, RedrivePool) and pool.skip_listing:
        pool.skip_listing = False
        return True
    return False


def map_run_to_redrive(pool, state_name):
    """The last Map Run of the Distributed Map state_name that ran children."""
    for record in reversed(pool.get_all()):
        if getattr(record, "twin_state_name", None) == state_name and getattr(record, "twin_runs", None) is not None:
            return record
    return None


class RedriveWorker(ExecutionWorker):
    """Runs an execution again from the state it did not get past."""

    def __init__(self, execution, previous_env, state_name, state_input):
        super().__init__(
            evaluation_details=EvaluationDetails(
                aws_execution_details=execution._get_start_aws_execution_details(),
                execution_details=execution.get_start_execution_details(),
                state_machine_details=execution.get_start_state_machine_details(),
            ),
            exec_comm=execution._get_start_execution_worker_comm(),
            cloud_watch_logging_session=execution._cloud_watch_logging_session,
            activity_store=execution._activity_store,
        )
        self._previous_env = previous_env
        self._state_name = state_name
        self._state_input = state_input
        self._redrive_count = execution.twin_redrive_count
        self._redrive_date = execution.twin_redrive_date

    def start(self):
        previous = self._previous_env
        env = self._get_evaluation_environment()
        # The history goes on where it ended.
        env.event_manager = previous.event_manager
        last = len(previous.event_manager.get_event_history())
        env.event_history_context = EventHistoryContext(previous_event_id=last)
        adopt = map_run_to_redrive(previous.map_run_record_pool_manager, self._state_name)
        env.map_run_record_pool_manager = RedrivePool(previous.map_run_record_pool_manager, adopt)
        # The variables, as they were when the state that failed was
        # entered: that state assigned nothing (variables.py).
        env.variable_store = previous.variable_store
        variables.discard(env.variable_store)
        execution = env.states.context_object.context_object_data["Execution"]
        execution["RedriveCount"] = self._redrive_count
        execution["RedriveTime"] = self._redrive_date.isoformat()
        env.twin_entered = (self._state_name, self._state_input)
        self.env = env  # before the thread: DescribeMapRun and the history read it
        thread = threading.Thread(target=self._redrive_logic, daemon=True)
        TMP_THREADS.append(thread)
        thread.start()

    def _redrive_logic(self):
        env = self.env
        env.event_manager.add_event(
            context=env.event_history_context,
            event_type=HistoryEventType.ExecutionRedriven,
            event_details=EventDetails(executionRedrivenEventDetails=ExecutionRedrivenEventDetails(
                redriveCount=self._redrive_count)),
        )
        program = self._get_evaluation_entrypoint()
        env.next_state_name = self._state_name
        env.states.reset(input_value=self._state_input)
        # Program.eval would start at StartAt; its body runs from next_state_name.
        EvalComponent.eval(program, env)
        self._execution_communication.terminated()
