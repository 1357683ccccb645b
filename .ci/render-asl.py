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

from cfnresolve import Resolver

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def substitutions(template, params=None):
    """Returns the state machine's DefinitionSubstitutions as one deployment
    with the given parameter values (the defaults otherwise) resolves them."""
    machines = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    if len(machines) != 1:
        raise ValueError(f"want one AWS::StepFunctions::StateMachine, found {len(machines)}")
    resolver = Resolver(template, params)
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
