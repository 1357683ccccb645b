"""AWS SDK service integrations (arn:aws:states:::aws-sdk:<service>:<action>).

AWS documents them in
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html:
a Task's parameters are written in PascalCase "even if the native service
API is in camelCase" (StateMachineArn for startSyncExecution), and the
result is the API's response. That response is PascalCase too, its
timestamps ISO 8601 text: DescribeMapRun through the integration gives
{"MapRunArn", "ItemCounts": {"Total", ...}, "StartDate": "2025-...Z", ...}.
An error is named <Service>.<Error>, both PascalCase (Sfn.ResourceNotFoundException),
which moto already does.

moto 5.2.1 calls boto3 with the parameters as written and returns boto3's
response as it is: Step Functions' own API (camelCase) then rejects
MapRunArn, and its answer would keep camelCase names and datetime objects.
The replacement renames both ways by the API's model.
"""

import datetime

from botocore.model import ListShape, MapShape, StructureShape
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

from . import patch

# StateTaskServiceAwsSdk._eval_service_task in moto 5.2.1.
EVAL_SERVICE_TASK_DIGEST = "e68dc9e06e6ae0ce"


def install():
    patch.replace(StateTaskServiceAwsSdk, "_eval_service_task", eval_service_task, EVAL_SERVICE_TASK_DIGEST)


def pascal(name):
    """A member name as the integration spells it: mapRunArn -> MapRunArn."""
    return name[:1].upper() + name[1:]


def to_request(value, shape):
    """value, written with PascalCase member names, with the API's names."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = {k.lower(): k for k in shape.members}
        out = {}
        for k, v in value.items():
            name = members.get(k.lower(), k)  # an unknown one is the API's to refuse
            out[name] = to_request(v, shape.members[name]) if name in shape.members else v
        return out
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [to_request(v, shape.member) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: to_request(v, shape.value) for k, v in value.items()}
    return value


def timestamp(t):
    """An ISO 8601 UTC timestamp with milliseconds."""
    t = t.astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def from_response(value, shape):
    """boto3's response value as the integration gives it."""
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {pascal(k): from_response(v, shape.members.get(k)) for k, v in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [from_response(v, shape.member) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: from_response(v, shape.value) for k, v in value.items()}
    return value


def eval_service_task(self, env, resource_runtime_part, normalised_parameters, state_credentials):
    """Calls the API action with the Task's parameters and pushes its response."""
    client = boto_client_for(
        service=self._get_boto_service_name(),
        region=resource_runtime_part.region,
        state_credentials=state_credentials,
    )
    operation = client.meta.service_model.operation_model(pascal(self.resource.api_action))
    request = to_request(normalised_parameters, operation.input_shape)
    response = getattr(client, self._get_boto_service_action())(**request) or {}
    response.pop("ResponseMetadata", None)
    env.stack.append(from_response(response, operation.output_shape))
