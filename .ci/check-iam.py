"""Check every IAM grant of the translated template against an explicit table.

Usage: python3 check-iam.py translated.json

translated.json is the output of sam-translate.py: the template as
CloudFormation receives it, with whatever SAM adds. For each of a few
deployments (the defaults; an existing bucket with a customer managed KMS
key and tracing off), every statement of every role must be one of the
expected statements below and every expected statement must be there:
actions, resources and conditions exactly, nothing broader, nothing extra.
The stack must have no IAM resources but the three roles, no managed
policies, and each function and the state machine must use its own role.

What each grant is for, and the AWS page it follows, is in template.yaml.
"""

import json
import sys

from cfnresolve import ACCOUNT, PARTITION, REGION, STACK, Resolver

KEY = f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

DEPLOYMENTS = {
    "defaults (the stack's bucket, tracing on)": {},
    "an existing bucket with a KMS key, tracing off": {
        "DataBucketName": "existing-data", "DataBucketKmsKeyArn": KEY, "Tracing": "false"},
    "an existing bucket without a KMS key": {"DataBucketName": "existing-data"},
    "inventories delivered to another bucket": {"InventoryBucketName": "inventory-reports"},
}

# Which role each function and the state machine must use.
USES = {"SumFunction": "SumFunctionRole", "TotalFunction": "TotalFunctionRole", "SumStateMachine": "StateMachineRole"}


def stmt(sid, actions, resources, effect="Allow", condition=None):
    s = {"Sid": sid, "Effect": effect, "Action": sorted(actions), "Resource": sorted(resources)}
    if condition:
        s["Condition"] = condition
    return s


def expected(params):
    """Returns, per role, its trusted service and its statements, for one deployment."""
    bucket = params.get("DataBucketName") or f"{STACK}-databucket-sample"
    kms = params.get("DataBucketKmsKeyArn")
    tracing = params.get("Tracing", "true") == "true"
    b = f"arn:{PARTITION}:s3:::{bucket}"
    inv = f"arn:{PARTITION}:s3:::{params.get('InventoryBucketName') or bucket}"
    logs = f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{STACK}"
    lam = f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{STACK}"
    machine = f"{STACK}-sumsq"
    states = f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}"
    xray_lambda = [stmt("Trace", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"])] if tracing else []

    sum_role = [
        stmt("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs}-sum:*"]),
        stmt("ReadData", ["s3:GetObject"], [f"{b}/*"]),
        stmt("NotResults", ["s3:GetObject"], [f"{b}/results/*"], effect="Deny"),
        stmt("TellMissingFromDenied", ["s3:ListBucket"], [b]),
    ] + ([stmt("DecryptData", ["kms:Decrypt"], [kms])] if kms else []) + xray_lambda

    total_role = [
        stmt("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs}-total:*"]),
        # No s3:prefix condition: a GetObject carries no prefix, and S3 would
        # answer a missing result file with 403 instead of 404.
        stmt("TellMissingFromDenied", ["s3:ListBucket"], [b]),
        stmt("ReadResults", ["s3:GetObject"], [f"{b}/results/*"]),
        # CheckInventory: an inventory report's manifest, nothing else there.
        stmt("ReadInventoryManifests", ["s3:GetObject"], [f"{inv}/*manifest.json"]),
        stmt("WriteTotals", ["s3:PutObject", "s3:AbortMultipartUpload"], [f"{b}/results/*"]),
    ] + ([stmt("EncryptResults", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], [kms])] if kms else []) + xray_lambda

    machine_role = [
        stmt("InvokeFunctions", ["lambda:InvokeFunction"], [f"{lam}-SumFunction-sample", f"{lam}-TotalFunction-sample"]),
        stmt("ListData", ["s3:ListBucket"], [b]),
        stmt("WriteMapResults", ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
             [f"{b}/results/*"]),
        stmt("StartChildExecutions", ["states:StartExecution"], [f"{states}:stateMachine:{machine}"]),
        stmt("ManageExecutions", ["states:DescribeExecution", "states:StopExecution"], [f"{states}:execution:{machine}:*"]),
        # The Map Runs of this machine, and no other resource.
        stmt("CountMapRunItems", ["states:DescribeMapRun"], [f"{states}:mapRun:{machine}/*"]),
        # Only the STANDARD children, TotalParts'; EXPRESS ones are started anew.
        stmt("RedriveTotalParts", ["states:RedriveExecution"], [f"{states}:execution:{machine}/TotalParts:*"]),
        # An inventory report's files only, not the data.
        stmt("ReadInventoryReports", ["s3:GetObject"], [f"{inv}/*manifest.json", f"{inv}/*.csv.gz"]),
        stmt("DeliverLogs", ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                             "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                             "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], ["*"]),
    ] + ([stmt("EncryptResults", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], [kms])] if kms else []) + (
        [stmt("Trace", ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                        "xray:GetSamplingTargets"], ["*"])] if tracing else [])

    return {
        "SumFunctionRole": ("lambda.amazonaws.com", sum_role),
        "TotalFunctionRole": ("lambda.amazonaws.com", total_role),
        "StateMachineRole": ("states.amazonaws.com", machine_role),
    }


def as_list(v):
    return v if isinstance(v, list) else [v]


def normalize(s):
    """A statement in the form of stmt(), or a problem if it has other fields."""
    extra = set(s) - {"Sid", "Effect", "Action", "Resource", "Condition"}
    if extra:
        return None, f"fields {sorted(extra)} (NotAction, NotResource, Principal...) are not allowed here"
    n = stmt(s.get("Sid"), as_list(s.get("Action", [])), as_list(s.get("Resource", [])), s.get("Effect"),
             {op: {k: sorted(as_list(v)) for k, v in kv.items()} for op, kv in s.get("Condition", {}).items()} or None)
    return n, None


def check(template, params):
    r = Resolver(template, params)
    resources = template["Resources"]
    want = expected(params)
    problems = []
    iam = {name: res for name, res in resources.items() if res["Type"].startswith("AWS::IAM::")}
    if set(iam) != set(want):
        problems.append(f"IAM resources {sorted(iam)}; want exactly {sorted(want)}")
    for user, role in USES.items():
        props = resources.get(user, {}).get("Properties", {})
        got = props.get("Role", props.get("RoleArn"))
        if got != {"Fn::GetAtt": [role, "Arn"]}:
            problems.append(f"{user} uses role {json.dumps(got)}; want {role}")
    for name, (service, statements) in want.items():
        if name not in iam:
            continue
        props = r.resolve(iam[name]["Properties"])
        for field in ("ManagedPolicyArns", "PermissionsBoundary"):
            if props.get(field):
                problems.append(f"{name}: has {field} {props[field]}; want none (every grant is a statement here)")
        trust = props.get("AssumeRolePolicyDocument", {}).get("Statement", [])
        if trust != [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]:
            problems.append(f"{name}: trust policy {json.dumps(trust)}; want {service} alone")
        got = []
        for policy in props.get("Policies", []):
            for s in policy["PolicyDocument"]["Statement"]:
                n, problem = normalize(s)
                if problem:
                    problems.append(f"{name}: statement {s.get('Sid')}: {problem}")
                else:
                    got.append(n)
        key = lambda s: json.dumps(s, sort_keys=True)
        for s in sorted(got, key=key):
            if s not in statements:
                problems.append(f"{name}: unexpected statement {key(s)}")
        for s in sorted(statements, key=key):
            if s not in got:
                problems.append(f"{name}: missing statement {key(s)}")
        if len(got) != len({key(s) for s in got}):
            problems.append(f"{name}: a statement appears twice")
    return problems


def main(path):
    with open(path, encoding="utf-8") as f:
        template = json.load(f)
    failed = False
    for name, params in DEPLOYMENTS.items():
        problems = check(template, params)
        for p in problems:
            print(f"{path}: {name}: {p}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            counts = ", ".join(f"{role} {len(s)}" for role, (_, s) in expected(params).items())
            print(f"  {name}: every statement as expected ({counts})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
