"""The s3:getObject ItemReader in moto's interpreter (see reader.py).

moto 5.2.1 knows the InputTypes CSV and JSON only (its parser fails on
JSONL and MANIFEST), and reports a failed GetObject or an unreadable file as
States.Runtime. definition.py sets the ReaderConfig of an s3:getObject
ItemReader aside and parse.py hangs it on moto's ItemReader; the
replacement of ItemReader._eval_body reads such a dataset as
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
documents it, any failure being the Map Run's States.ItemReaderFailed
(concepts-error-handling.html), which a Catch can handle. Other readers
(s3:listObjectsV2) are moto's, as maprun.py patches them.

A Map Run being redriven reads nothing: it re-runs the inputs of its
children (redrive.py).
"""

from moto.core.config import default_user_config
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.item_reader_decl import ItemReader
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

from . import maprun, patch, reader, redrive

# ItemReader._eval_body in moto 5.2.1.
EVAL_BODY_DIGEST = "652bd3218835e611"

# How the Key of an S3 Inventory item is given, which AWS does not
# document: "encoded", as the CSV holds it (the default), or "decoded":
#   POST /moto-api/config {"stepfunctions": {"execute_state_machine": true, "twin_inventory_keys": "decoded"}}
INVENTORY_KEYS = ("encoded", "decoded")


def install():
    original = None

    def eval_body(self, env):
        x = getattr(self, "twin_extras", None)
        if x is None or x.reader_config is None:
            original(self, env)
            return
        env.stack.append(read(self, env, x))

    original = patch.replace(ItemReader, "_eval_body", eval_body, EVAL_BODY_DIGEST)


def inventory_keys():
    value = default_user_config.get("stepfunctions", {}).get("twin_inventory_keys", "encoded")
    if value not in INVENTORY_KEYS:
        raise RuntimeError(f"twin: twin_inventory_keys is {value!r}, not one of {INVENTORY_KEYS}")
    return value


def input_type(config):
    """The reader's InputType; ManifestType S3_INVENTORY is MANIFEST."""
    if config.get("ManifestType") == "S3_INVENTORY":
        return reader.MANIFEST
    return config["InputType"]


def read(component, env, x):
    """The items of the dataset component (an ItemReader) names."""
    if redrive.take_listing_skip(env):
        return []
    config = x.reader_config
    state_input = env.states.get_input()
    try:
        limit = reader.max_items(maprun.evaluate(env, config.get("MaxItems"), state_input, x.jsonata))
    except reader.ReaderError as ex:
        raise maprun.failure(env, StatesErrorNameType.StatesItemReaderFailed, str(ex))
    except ValueError as ex:
        raise maprun.failure(env, StatesErrorNameType.StatesRuntime, str(ex))

    if component.parargs:
        component.parargs.eval(env=env)
        arguments = env.stack.pop()
    else:
        arguments = {}
    component.resource.eval(env=env)
    runtime = env.stack.pop()
    client = boto_client_for(region=runtime.region, service="s3",
                             state_credentials=StateCredentials(role_arn=env.aws_execution_details.role_arn))

    def get(bucket, key, **extra):
        try:
            body = client.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()
        except Exception as ex:
            raise maprun.failure(env, StatesErrorNameType.StatesItemReaderFailed, maprun.describe(ex))
        return reader.decompress(key, body)

    bucket, key = arguments.get("Bucket"), arguments.get("Key")
    extra = {k: v for k, v in arguments.items() if k not in ("Bucket", "Key")}
    where = f"s3://{bucket}/{key}"
    try:
        body = get(bucket, key, **extra)
        kind = input_type(config)
        if kind == reader.JSON:
            items = reader.json_items(body, where)
            return items if limit is None else items[:limit]
        if kind == reader.JSONL:
            return reader.jsonl_items(body, where, limit)
        columns, keys = reader.inventory(body, bucket, where)
        items = []
        for data_key in keys:
            if limit is not None and len(items) >= limit:
                break
            items.extend(reader.inventory_items(
                get(bucket, data_key), columns, f"s3://{bucket}/{data_key}",
                decode_keys=inventory_keys() == "decoded",
                limit=None if limit is None else limit - len(items)))
        return items
    except reader.ReaderError as ex:
        raise maprun.failure(env, StatesErrorNameType.StatesItemReaderFailed, str(ex))
