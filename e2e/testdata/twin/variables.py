"""Workflow variables (Assign, $name) as AWS documents them.

https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html:
Pass, Task, Map, Parallel, Choice and Wait states assign variables with
Assign, so do Choice rules and Catchers, and a later state reads one as
$name. "All variable references in Step Functions states use the values as
they were on state entry. All expressions are evaluated first, then
assignments are made. Newly assigned values will be available starting
with the next state." A Map iteration or a Parallel branch reads the
variables of the scope outside it, but "Distributed Map states cannot
currently reference variables in outer scopes". A variable holds at most
256 KiB, the variables of one Assign 256 KiB together, and those of an
execution 10 MiB.

https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html: a
Choice rule's Assign "assigns variables when this specific choice rule
matches", and an Assign "at the state level ... applies regardless of which
choice rule matches".

moto 5.2.1 has the variables, their scopes, and evaluates an Assign's
expressions before assigning any. But it assigns the moment an Assign is
evaluated, so that the state's own Output (or the Output of the Choice
rule or Catcher holding the Assign) reads the new values; it applies a
Choice state's own Assign only when the next state is the Default's; and
it enforces no limit. The replacements keep an Assign's values aside until the state
exits, when they are assigned; a Choice state's Assign applies whichever
rule matched, with the rule's (a variable both assign is refused when the
state machine is created, definition.py: AWS does not say which wins); a
state that fails and is caught assigns only its Catcher's; over a limit, the state fails with
States.DataLimitExceeded (the error of the payload limits,
concepts-error-handling.html; which error AWS gives for variables is not
documented). maprun.py starts each child of a Distributed Map with no
variables; redrive.py keeps an execution's variables for its redrive.

Sizes are the UTF-8 bytes of a value's compact JSON (AWS does not say how
it measures them); the 10 MiB are those of the variables a state sees
after its Assign.
"""

import json

from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.assign.assign_decl import AssignDecl
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.choice.state_choice import StateChoice
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.variable_store import VariableStore

from . import patch

# The code replaced, as in moto 5.2.1.
ASSIGN_DIGEST = "652b8326e85d93b6"  # AssignDecl._eval_body
EXITED_DIGEST = "82ead97874bb6dfe"  # CommonStateField._get_state_exited_event_details
HANDLE_CATCH_DIGEST = "414fe22c045a7dd3"  # ExecutionState._handle_catch
CHOICE_OUTPUT_DIGEST = "ab3b90209aa7da62"  # StateChoice._eval_state_output
STORE_INIT_DIGEST = "b110729a96da5e3e"  # VariableStore.__init__: its two scopes, read by visible()

MAX_VARIABLE_BYTES = 256 * 1024
MAX_ASSIGN_BYTES = 256 * 1024
MAX_EXECUTION_BYTES = 10 * 1024 * 1024


def install():
    patch.check(VariableStore, "__init__", STORE_INIT_DIGEST)
    patch.replace(AssignDecl, "_eval_body", assign, ASSIGN_DIGEST)

    original_exited = None

    def exited(self, env):
        commit(env.variable_store)
        return original_exited(self, env)

    original_exited = patch.replace(CommonStateField, "_get_state_exited_event_details", exited, EXITED_DIGEST)

    original_catch = None

    def handle_catch(self, env, failure_event):
        discard(env.variable_store)  # the failed state's own Assign does not apply
        original_catch(self, env, failure_event)

    original_catch = patch.replace(ExecutionState, "_handle_catch", handle_catch, HANDLE_CATCH_DIGEST)
    patch.replace(StateChoice, "_eval_state_output", choice_output, CHOICE_OUTPUT_DIGEST)


def size(value):
    """The bytes of value's compact JSON in UTF-8."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def over_limit(assigned, visible):
    """Why assigning assigned (name -> value) over the variables visible
    (name -> value) breaks a limit, or None."""
    sizes = {name: size(value) for name, value in assigned.items()}
    for name, n in sizes.items():
        if n > MAX_VARIABLE_BYTES:
            return f"the variable '{name}' would hold {n} bytes, over the {MAX_VARIABLE_BYTES}-byte limit of a variable"
    total = sum(sizes.values())
    if total > MAX_ASSIGN_BYTES:
        return f"the variables of one Assign would hold {total} bytes, over the {MAX_ASSIGN_BYTES}-byte limit"
    everything = sum(size(v) for k, v in visible.items() if k not in assigned) + total
    if everything > MAX_EXECUTION_BYTES:
        return f"the variables would hold {everything} bytes, over the {MAX_EXECUTION_BYTES}-byte limit of an execution"
    return None


def visible(store):
    """Every variable store can read, by name."""
    return {**store._outer_scope, **store._inner_scope}


def assign(self, env):
    """AssignDecl._eval_body: evaluates every binding, then keeps the values
    aside for commit() when the state exits, with those of the state's
    other Assign (a Choice state's and its rule's)."""
    declarations = {}
    for binding in self.declaration_bindings:
        binding.eval(env=env)
        declarations.update(env.stack.pop())
    pending = {**(getattr(env.variable_store, "twin_pending", None) or {}), **declarations}
    why = over_limit(pending, visible(env.variable_store))
    if why is not None:
        state = env.states.context_object.context_object_data.get("State", {}).get("Name")
        name = StatesErrorName(typ=StatesErrorNameType.StatesStatesDataLimitExceeded)
        raise FailureEventException(failure_event=FailureEvent(
            env=env,
            error_name=name,
            event_type=HistoryEventType.EvaluationFailed,
            event_details=EventDetails(evaluationFailedEventDetails=EvaluationFailedEventDetails(
                error=name.error_name, cause=f"The state '{state}' cannot assign its variables: {why}.")),
        ))
    env.variable_store.twin_pending = pending


def choice_output(self, env):
    """StateChoice._eval_state_output: the state's own Assign whichever rule
    matched; its Output, and the JSONPath output, as moto has them."""
    next_state_name = env.stack.pop()
    if self.assign_decl:
        self.assign_decl.eval(env=env)
    if self.default_state and self.default_state.state_name == next_state_name and self.output:
        self.output.eval(env=env)
    if self._is_language_query_jsonpath():
        if self.output_path:
            self.output_path.eval(env=env)
        else:
            env.states.reset(input_value=env.stack.pop())
    env.next_state_name = next_state_name


def commit(store):
    """Assigns what the state's Assign kept aside."""
    pending = getattr(store, "twin_pending", None)
    store.twin_pending = None
    for name, value in (pending or {}).items():
        store.set(variable_identifier=name, variable_value=value)


def discard(store):
    store.twin_pending = None
