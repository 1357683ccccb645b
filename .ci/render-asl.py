"""Render statemachine.asl.json with the DefinitionSubstitutions the template passes.

Usage: python3 render-asl.py translated.json statemachine.asl.json out.json

translated.json is the output of sam-translate.py. The substitutions are
resolved as a deployment with every parameter at its default would resolve
them, with sample names and ARNs for the stack's own resources (region
us-east-1, account 123456789012, stack sumsq). It fails when the ASL uses a
${Name} the template does not pass, when the template passes a name the ASL
does not use, or when the file is not JSON before or after substitution:
Step Functions would get a literal "${Name}", or nothing at all.
"""

import json
import re
import sys

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK = "sumsq"

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class Resolver:
    def __init__(self, template):
        self.params = template.get("Parameters", {})
        self.conditions = template.get("Conditions", {})
        self.resources = template.get("Resources", {})

    def value(self, v):
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, dict) and len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                return self.get_att(*arg)
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no)
        raise ValueError(f"cannot resolve {json.dumps(v)}")

    def condition(self, name):
        expr = self.conditions[name]
        (fn, arg), = expr.items()
        if fn == "Fn::Equals":
            return self.value(arg[0]) == self.value(arg[1])
        raise ValueError(f"cannot evaluate condition {name}: {json.dumps(expr)}")

    def ref(self, name):
        if name in self.params:
            if "Default" not in self.params[name]:
                raise ValueError(f"parameter {name} has no default")
            return self.value(self.params[name]["Default"])
        res = self.resources.get(name)
        if res is None:
            raise ValueError(f"Ref to unknown {name}")
        if res["Type"] == "AWS::S3::Bucket":
            return f"{STACK}-{name.lower()}-sample"
        if res["Type"] == "AWS::Lambda::Function":
            return f"{STACK}-{name}-sample"
        raise ValueError(f"no sample value for Ref {name} ({res['Type']})")

    def get_att(self, name, attr):
        res = self.resources.get(name)
        if res is None:
            raise ValueError(f"GetAtt of unknown {name}")
        if res["Type"] == "AWS::Lambda::Function" and attr == "Arn":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.ref(name)}"
        raise ValueError(f"no sample value for GetAtt {name}.{attr} ({res['Type']})")


def substitutions(template):
    machines = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    if len(machines) != 1:
        raise ValueError(f"want one AWS::StepFunctions::StateMachine, found {len(machines)}")
    resolver = Resolver(template)
    subs = machines[0]["Properties"].get("DefinitionSubstitutions", {})
    return {k: resolver.value(v) for k, v in subs.items()}


def render(asl, subs):
    try:
        json.loads(asl)
    except json.JSONDecodeError as e:
        # Tools that read the file as it is in the repository (editors, the
        # e2e tests) need JSON: numbers go through {% $number('${Name}') %}.
        raise ValueError(f"not JSON before substitution: {e}") from e
    used = set(PLACEHOLDER.findall(asl))
    missing = sorted(used - subs.keys())
    unused = sorted(subs.keys() - used)
    if missing:
        raise ValueError(f"the ASL uses substitutions the template does not pass: {missing}")
    if unused:
        raise ValueError(f"the template passes substitutions the ASL does not use: {unused}")
    out = PLACEHOLDER.sub(lambda m: subs[m.group(1)], asl)
    json.loads(out)
    return out


def main(template_path, asl_path, out_path):
    with open(template_path, encoding="utf-8") as f:
        subs = substitutions(json.load(f))
    with open(asl_path, encoding="utf-8") as f:
        out = render(f.read(), subs)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(out)
    for k in sorted(subs):
        print(f"  {k} = {subs[k]}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except (ValueError, KeyError) as e:
        sys.exit(f"render-asl: {e}")
