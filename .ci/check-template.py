"""Check promises of template.yaml that no linter knows.

Usage: python3 check-template.py translated.json statemachine.asl.json

  - What the stack creates for the data outlives the stack: the bucket and its
    policy (TLS only) both have DeletionPolicy and UpdateReplacePolicy Retain,
    so that `sam delete` never leaves a kept bucket without its policy.
  - The console link of StartExecutionConsoleUrl is the console of the
    stack's own partition (aws, aws-cn, aws-us-gov), as the CLI's consoleURL
    builds it.
  - An alarm on ExecutionsTimedOut can fire only if the state machine has a
    TimeoutSeconds; the template has none, and no such alarm.
  - The dashboard's body is JSON as CloudWatch reads it, each of its metrics
    one that AWS (or the function, for namespace sumsq) records, of this
    stack's state machine and functions, with MaxConcurrency drawn on the
    concurrency graph; its URL is the console of each partition.
"""

import json
import sys

from cfnresolve import Resolver

# The console's host in each partition, as cmd/sumsq's consoleURL writes it.
CONSOLE_HOSTS = {
    ("aws", "us-east-1"): "us-east-1.console.aws.amazon.com",
    ("aws", "eu-west-1"): "eu-west-1.console.aws.amazon.com",
    ("aws-cn", "cn-north-1"): "cn-north-1.console.amazonaws.cn",
    ("aws-us-gov", "us-gov-west-1"): "console.amazonaws-us-gov.com",
}


def check_retained(template):
    problems = []
    kept = [name for name, r in template["Resources"].items()
            if r.get("Condition") == "CreateDataBucket" and r["Type"] in ("AWS::S3::Bucket", "AWS::S3::BucketPolicy")]
    if len(kept) != 2:
        problems.append(f"want the data bucket and its policy under Condition CreateDataBucket, found {kept}")
    for name in kept:
        r = template["Resources"][name]
        for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
            if r.get(policy) != "Retain":
                problems.append(f"{name}: {policy} is {r.get(policy)!r}; want 'Retain', as the bucket it belongs to")
    return problems


def check_console(template):
    problems = []
    for (partition, region), host in CONSOLE_HOSTS.items():
        url = Resolver(template, partition=partition, region=region).value(
            template["Outputs"]["StartExecutionConsoleUrl"]["Value"])
        want = f"https://{host}/states/home?region={region}#/statemachines/view/arn:{partition}:states:{region}:"
        if not url.startswith(want):
            problems.append(f"StartExecutionConsoleUrl in {partition} {region} is {url}; want it to begin {want}")
    return problems


# The metrics the dashboard may show: those AWS records for Step Functions and
# Lambda (procedure-cw-metrics.html, monitoring-metrics.html), and the
# function's own (function/metrics.go; TestBatchMetrics pins the names).
KNOWN_METRICS = {
    "AWS/States": {"ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsAborted", "ExecutionsTimedOut"},
    "AWS/Lambda": {"Invocations", "Duration", "Errors", "Throttles", "ConcurrentExecutions"},
    "sumsq": {"objects", "failedObjects"},
}


def check_dashboard(template):
    problems = []
    r = Resolver(template)
    dashboards = [name for name, res in template["Resources"].items() if res["Type"] == "AWS::CloudWatch::Dashboard"]
    if len(dashboards) != 1:
        return [f"want one dashboard, found {dashboards}"]
    body_text = r.value(template["Resources"][dashboards[0]]["Properties"]["DashboardBody"])
    try:
        body = json.loads(body_text)
    except ValueError as e:
        return [f"the dashboard's body is not JSON: {e}"]
    ours = {r.ref("SumStateMachine"), r.ref("SumFunction"), r.ref("TotalFunction")}
    widgets = body.get("widgets") or []
    if not widgets:
        problems.append("the dashboard has no widgets")
    for i, w in enumerate(widgets):
        props = w.get("properties", {})
        where = f"widget {i} ({props.get('title', 'untitled')})"
        if w.get("type") != "metric" or not props.get("title") or props.get("region") != r.region:
            problems.append(f"{where}: want type metric, a title and region {r.region}")
        for row in props.get("metrics", []):
            ns, name, *dims = [x for x in row if not isinstance(x, dict)]
            if name not in KNOWN_METRICS.get(ns, ()):
                problems.append(f"{where}: {ns} {name} is not a metric AWS or the function records")
            if len(dims) != 2 or dims[1] not in ours:
                problems.append(f"{where}: {ns} {name} {dims}: want one dimension naming this stack's state machine or a function")
        for a in props.get("annotations", {}).get("horizontal", []):
            want = int(r.value({"Ref": "MaxConcurrency"}))
            if a.get("label") == "MaxConcurrency" and a.get("value") != want:
                problems.append(f"{where}: MaxConcurrency drawn at {a.get('value')}; want {want}")
    if not any(a.get("label") == "MaxConcurrency" for w in widgets for a in w.get("properties", {}).get("annotations", {}).get("horizontal", [])):
        problems.append("no widget draws MaxConcurrency against the batches' concurrency")
    for (partition, region), host in CONSOLE_HOSTS.items():
        rr = Resolver(template, partition=partition, region=region)
        url = rr.value(template["Outputs"]["DashboardUrl"]["Value"])
        want = f"https://{host}/cloudwatch/home?region={region}#dashboards:name={rr.ref(dashboards[0])}"
        if url != want:
            problems.append(f"DashboardUrl in {partition} {region} is {url}; want {want}")
    return problems


def check_timeout_alarm(template, definition):
    alarms = [name for name, r in template["Resources"].items()
              if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "ExecutionsTimedOut"]
    if alarms and "TimeoutSeconds" not in definition:
        return [f"{', '.join(alarms)} watches ExecutionsTimedOut, but the state machine has no TimeoutSeconds: it can never fire"]
    return []


def main(template_path, asl_path):
    with open(template_path) as f:
        template = json.load(f)
    with open(asl_path) as f:
        definition = json.load(f)
    problems = (check_retained(template) + check_console(template) + check_timeout_alarm(template, definition)
                + check_dashboard(template))
    for p in problems:
        print("check-template:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-template: the data bucket and its policy are kept, the console links fit each partition, "
          "no alarm that cannot fire, the dashboard's metrics are real")


if __name__ == "__main__":
    main(*sys.argv[1:])
