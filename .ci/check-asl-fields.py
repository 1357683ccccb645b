"""Reject fields the Amazon States Language does not allow where they stand.

Usage: python3 check-asl-fields.py statemachine.asl.json...
       python3 check-asl-fields.py --self-test statemachine.asl.json

Step Functions rejects a definition with an unknown field in any object
(SCHEMA_VALIDATION_FAILED), "Comment" included where it is not allowed, such
as in a ResultWriter. asl-validator and amazon-states-language-service accept
such fields, so this walks the definition and checks every object's field
names against the table below. --self-test first checks that the table
rejects what it must, on copies of the given definition.

The table is the Amazon States Language specification
(https://states-language.net/spec.html) with the fields AWS added and
documents per state (amazon-states-language-*-state.html), for the
Distributed Map (state-map-distributed.html, input-output-itemreader.html,
input-output-itembatcher.html, input-output-resultwriter.html) and for
JSONata (transforming-data.html), and AWS's own linter, statelint
(data/StateMachine.j2119), for where Comment may stand: the machine, states,
choice rules, branches, catchers and ItemProcessor, not retriers (AWS's
editor schema allows it in retriers too; we keep to what both accept).
Payload templates (Arguments, Parameters, ItemSelector, Output, Assign,
Result, ResultSelector, BatchInput, Credentials) hold the user's own fields
and are not checked.
"""

import copy
import json
import sys

# Fields every state may have.
STATE = {"Type", "Comment", "QueryLanguage"}
# Input/output fields of JSONPath states, and Output/Assign of JSONata ones.
IO = {"InputPath", "OutputPath", "Output", "Assign"}
FLOW = {"Next", "End"}
RESULT = {"ResultPath", "ResultSelector"}

STATES = {
    "Task": STATE | IO | FLOW | RESULT | {
        "Resource", "Arguments", "Parameters", "Retry", "Catch", "Credentials",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"},
    "Map": STATE | IO | FLOW | RESULT | {
        "ItemProcessor", "Iterator", "ItemReader", "ItemSelector", "Parameters", "ItemBatcher",
        "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath",
        "Label", "Items", "ItemsPath", "Retry", "Catch"},
    "Parallel": STATE | IO | FLOW | RESULT | {"Branches", "Arguments", "Parameters", "Retry", "Catch"},
    "Pass": STATE | IO | FLOW | {"Result", "ResultPath", "Parameters"},
    "Wait": STATE | IO | FLOW | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    "Choice": STATE | IO | {"Choices", "Default"},
    "Succeed": STATE | IO,
    "Fail": STATE | {"Error", "ErrorPath", "Cause", "CausePath"},
}

COMPARISONS = {
    f"{kind}{op}{path}"
    for kind in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for path in ("", "Path")
} | {"BooleanEquals", "BooleanEqualsPath", "StringMatches",
     "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}

NESTED_RULE = {"Comment", "Variable", "And", "Or", "Not"} | COMPARISONS

OBJECTS = {
    "machine": {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"},
    "branch": {"Comment", "StartAt", "States"},
    "ItemProcessor": {"Comment", "ProcessorConfig", "StartAt", "States"},
    "ProcessorConfig": {"Mode", "ExecutionType"},
    "Retrier": {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy"},
    "Catcher": {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"},
    # JSONata rules have Condition; JSONPath rules a Variable and a comparison.
    "choice rule": NESTED_RULE | {"Next", "Condition", "Output", "Assign"},
    "nested rule": NESTED_RULE,
    "ItemReader": {"Resource", "Arguments", "Parameters", "ReaderConfig"},
    "ReaderConfig": {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                     "MaxItemsPath", "ManifestType", "Transformation"},
    "ItemBatcher": {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                    "MaxInputBytesPerBatchPath", "BatchInput"},
    "ResultWriter": {"Resource", "Arguments", "Parameters", "WriterConfig"},
    "WriterConfig": {"OutputType", "Transformation"},
}


def check(definition):
    """Returns a problem for every field not allowed where it stands."""
    problems = []

    def fields(obj, kind, path):
        if not isinstance(obj, dict):
            problems.append(f"{path}: {kind} is not an object")
            return False
        allowed = STATES[kind] if kind in STATES else OBJECTS[kind]
        for name in obj:
            if name not in allowed:
                what = f"a {kind} state" if kind in STATES else kind
                problems.append(f"{path}: field {name!r} is not allowed in {what}")
        return True

    def machine(obj, kind, path):
        if not fields(obj, kind, path):
            return
        if kind == "ItemProcessor" and "ProcessorConfig" in obj:
            fields(obj["ProcessorConfig"], "ProcessorConfig", f"{path}.ProcessorConfig")
        for name, st in (obj.get("States") or {}).items():
            state(st, f"{path}.States.{name}")

    def rule(obj, kind, path):
        if not fields(obj, kind, path):
            return
        for op in ("And", "Or"):
            for i, r in enumerate(obj.get(op) or []):
                rule(r, "nested rule", f"{path}.{op}[{i}]")
        if "Not" in obj:
            rule(obj["Not"], "nested rule", f"{path}.Not")

    def state(obj, path):
        kind = obj.get("Type") if isinstance(obj, dict) else None
        if kind not in STATES:
            problems.append(f"{path}: Type {kind!r} is not a state type")
            return
        fields(obj, kind, path)
        for i, r in enumerate(obj.get("Retry") or []):
            fields(r, "Retrier", f"{path}.Retry[{i}]")
        for i, c in enumerate(obj.get("Catch") or []):
            fields(c, "Catcher", f"{path}.Catch[{i}]")
        for i, r in enumerate(obj.get("Choices") or []):
            rule(r, "choice rule", f"{path}.Choices[{i}]")
        for i, b in enumerate(obj.get("Branches") or []):
            machine(b, "branch", f"{path}.Branches[{i}]")
        for name in ("ItemProcessor", "Iterator"):
            if name in obj:
                machine(obj[name], "ItemProcessor", f"{path}.{name}")
        for name, sub in (("ItemReader", "ReaderConfig"), ("ResultWriter", "WriterConfig"), ("ItemBatcher", None)):
            if name in obj and fields(obj[name], name, f"{path}.{name}") and sub and sub in obj[name]:
                fields(obj[name][sub], sub, f"{path}.{name}.{sub}")

    machine(definition, "machine", "$")
    return problems


def find(definition, kind):
    """Returns the first state of type kind in the definition, nested ones included."""
    if isinstance(definition, dict):
        if definition.get("Type") == kind:
            return definition
        values = definition.values()
    elif isinstance(definition, list):
        values = definition
    else:
        return None
    for v in values:
        found = find(v, kind)
        if found is not None:
            return found
    return None


# Each plants one field the service would reject into a copy of a definition.
PLANTS = {
    "Comment in a ResultWriter": lambda d: find(d, "Map")["ResultWriter"].update(Comment="x"),
    "Comment in an ItemBatcher": lambda d: find(d, "Map")["ItemBatcher"].update(Comment="x"),
    "Comment in an ItemReader": lambda d: find(d, "Map")["ItemReader"].update(Comment="x"),
    "Comment in a ProcessorConfig": lambda d: find(d, "Map")["ItemProcessor"]["ProcessorConfig"].update(Comment="x"),
    "Comment in a Retrier": lambda d: find(d, "Task")["Retry"][0].update(Comment="x"),
    "a misspelt Catcher field": lambda d: find(d, "Map").update(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "x", "Nxt": "x"}]),
    "an unknown Task field": lambda d: find(d, "Task").update(TimeoutSecond=5),
    "a Map field on a Task": lambda d: find(d, "Task").update(ItemReader={}),
    "an unknown field on the machine": lambda d: d.update(Coment="x"),
    "an unknown field in a choice rule": lambda d: find(d, "Choice")["Choices"][0].update(Then="x"),
    "a Result on a Fail state": lambda d: find(d, "Fail").update(Result={}),
}


def self_test(definition):
    """Checks that the definition passes and that each planted field fails it."""
    failures = [f"the definition itself: {p}" for p in check(definition)]
    for name, plant in PLANTS.items():
        d = copy.deepcopy(definition)
        try:
            plant(d)
        except (KeyError, IndexError, TypeError) as e:
            failures.append(f"{name}: the definition has no place for it ({e!r})")
            continue
        got = check(d)
        if len(got) != 1:
            failures.append(f"{name}: got {got or 'no problem'}; want exactly one")
        else:
            print(f"  rejects {name}: {got[0]}")
    return failures


def main(args):
    test = args[:1] == ["--self-test"]
    paths = args[1:] if test else args
    if not paths:
        sys.exit(__doc__)
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            definition = json.load(f)
        problems = self_test(definition) if test else check(definition)
        for p in problems:
            print(f"{path}: {p}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: {'self-test passed' if test else 'every field is allowed where it stands'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
