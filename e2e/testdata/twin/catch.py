"""States.ALL as AWS matches it.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:
States.ALL matches any error name except States.DataLimitExceeded and
States.Runtime, which no Retry or Catch handles. moto's ErrorEqualsDecl
matches every name with States.ALL, so a run that fails on AWS with
States.Runtime would be caught here.
"""

from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import ErrorEqualsDecl
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)

from . import patch

# ErrorEqualsDecl._eval_body in moto 5.2.1.
EVAL_DIGEST = "aeda14a0cc01747d"

_ALL = StatesErrorName(typ=StatesErrorNameType.StatesALL)
_TASK_FAILED = StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed)
_NEVER_CAUGHT = {"States.DataLimitExceeded", "States.Runtime"}


def install():
    patch.replace(ErrorEqualsDecl, "_eval_body", eval_body, EVAL_DIGEST)


def eval_body(self, env):
    """Pops an error name and pushes whether this ErrorEquals matches it."""
    error_name = env.stack.pop()
    if _ALL in self.error_names:
        res = getattr(error_name, "error_name", None) not in _NEVER_CAUGHT
    elif _TASK_FAILED in self.error_names and not isinstance(error_name, StatesErrorName):
        res = True
    else:
        res = error_name in self.error_names
    env.stack.append(res)
