"""Resolve the intrinsic functions of a translated template, as one deployment would.

Used by the checks in this directory. A Resolver stands for one deployment:
parameter values (the template's defaults unless given), region us-east-1,
account 123456789012, stack sumsq, and sample names for the stack's own
resources. It knows the functions and resource types our template uses and
raises ValueError on anything else, so that a check never passes on what it
could not read.
"""

import json
import re

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK = "sumsq"
PARTITION = "aws"


class NoValue:
    """AWS::NoValue: the property or list element is left out."""


NO_VALUE = NoValue()
SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    def __init__(self, template, params=None, partition=PARTITION, region=REGION):
        self.partition, self.region = partition, region
        self.mappings = template.get("Mappings", {})
        self.params = template.get("Parameters", {})
        self.conditions = template.get("Conditions", {})
        self.resources = template.get("Resources", {})
        self.values = dict(params or {})
        unknown = set(self.values) - set(self.params)
        if unknown:
            raise ValueError(f"not parameters of the template: {sorted(unknown)}")

    def resolve(self, v):
        """Returns v with every intrinsic function evaluated and NoValue dropped."""
        if isinstance(v, dict):
            if len(v) == 1:
                (k, arg), = v.items()
                if k == "Ref" or k.startswith("Fn::"):
                    return self.resolve(self.intrinsic(k, arg))
            out = {k: self.resolve(x) for k, x in v.items()}
            return {k: x for k, x in out.items() if x is not NO_VALUE}
        if isinstance(v, list):
            return [x for x in (self.resolve(x) for x in v) if x is not NO_VALUE]
        return v

    def value(self, v):
        """Returns v resolved to a string, as DefinitionSubstitutions receive it."""
        v = self.resolve(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, str):
            return v
        raise ValueError(f"not a scalar: {json.dumps(v)}")

    def intrinsic(self, fn, arg):
        if fn == "Ref":
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            name, attr = arg.split(".", 1) if isinstance(arg, str) else arg
            return self.get_att(name, attr)
        if fn == "Fn::If":
            cond, yes, no = arg
            return yes if self.condition(cond) else no
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            return self.sub(text, variables)
        if fn == "Fn::FindInMap":
            name, top, second = (self.value(x) for x in arg)
            return self.mappings[name][top][second]
        if fn == "Fn::Join":
            sep, items = arg
            return sep.join(self.value(x) for x in self.resolve(items))
        raise ValueError(f"cannot resolve {fn}: {json.dumps(arg)}")

    def sub(self, text, variables):
        def one(m):
            name = m.group(1)
            if name in variables:
                return self.value(variables[name])
            if "." in name:
                return self.value(self.get_att(*name.split(".", 1)))
            return self.value(self.ref(name))
        return SUB_VAR.sub(one, text)

    def condition(self, name):
        return self.test(self.conditions[name])

    def test(self, expr):
        (fn, arg), = expr.items()
        if fn == "Fn::Equals":
            return self.value(arg[0]) == self.value(arg[1])
        if fn == "Fn::Not":
            return not self.test(arg[0])
        if fn == "Fn::And":
            return all(self.test(x) for x in arg)
        if fn == "Fn::Or":
            return any(self.test(x) for x in arg)
        if fn == "Condition":
            return self.condition(arg)
        raise ValueError(f"cannot evaluate condition {json.dumps(expr)}")

    def ref(self, name):
        pseudo = {"AWS::Partition": self.partition, "AWS::Region": self.region, "AWS::AccountId": ACCOUNT,
                  "AWS::StackName": STACK, "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": NO_VALUE}
        if name in pseudo:
            return pseudo[name]
        if name in self.params:
            if name in self.values:
                return self.values[name]
            if "Default" not in self.params[name]:
                raise ValueError(f"parameter {name} has no default")
            return self.params[name]["Default"]
        res = self.resources.get(name)
        if res is None:
            raise ValueError(f"Ref to unknown {name}")
        kind, props = res["Type"], res.get("Properties", {})
        if kind == "AWS::S3::Bucket":
            return f"{STACK}-{name.lower()}-sample"
        if kind in ("AWS::Lambda::Function", "AWS::IAM::Role"):
            return f"{STACK}-{name}-sample"
        if kind == "AWS::Logs::LogGroup":
            return self.value(props["LogGroupName"])
        if kind == "AWS::SNS::Topic":
            return f"arn:{self.partition}:sns:{self.region}:{ACCOUNT}:{STACK}-{name}-sample"
        if kind == "AWS::CloudWatch::Dashboard":
            return self.value(props["DashboardName"])
        if kind == "AWS::StepFunctions::StateMachine":
            return f"arn:{self.partition}:states:{self.region}:{ACCOUNT}:stateMachine:{self.value(props['StateMachineName'])}"
        raise ValueError(f"no sample value for Ref {name} ({kind})")

    def get_att(self, name, attr):
        res = self.resources.get(name)
        if res is None:
            raise ValueError(f"GetAtt of unknown {name}")
        kind = res["Type"]
        if attr == "Arn":
            if kind == "AWS::Lambda::Function":
                return f"arn:{self.partition}:lambda:{self.region}:{ACCOUNT}:function:{self.ref(name)}"
            if kind == "AWS::Logs::LogGroup":
                return f"arn:{self.partition}:logs:{self.region}:{ACCOUNT}:log-group:{self.ref(name)}:*"
            if kind == "AWS::S3::Bucket":
                return f"arn:{self.partition}:s3:::{self.ref(name)}"
            if kind == "AWS::IAM::Role":
                return f"arn:{self.partition}:iam::{ACCOUNT}:role/{self.ref(name)}"
        raise ValueError(f"no sample value for GetAtt {name}.{attr} ({kind})")
