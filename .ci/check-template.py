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
    problems = check_retained(template) + check_console(template) + check_timeout_alarm(template, definition)
    for p in problems:
        print("check-template:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-template: the data bucket and its policy are kept, the console link fits each partition, no alarm that cannot fire")


if __name__ == "__main__":
    main(*sys.argv[1:])
