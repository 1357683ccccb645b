"""Check that samconfig.toml deploys template.yaml with its parameter defaults.

Usage: python3 check-samconfig.py template.yaml samconfig.toml

samconfig.toml's parameter_overrides repeat the defaults so that a plain
`sam deploy` shows what it deploys; this fails when the two drift apart or
an override names a parameter the template does not have.

It also checks the env-vars file of the local_invoke section: `sam local
invoke --env-vars` sets only variables the function declares, so every
function of the template must be in it, with declared variables only.
"""

import json
import re
import sys
import tomllib

from samtranslator.yaml_helper import yaml_parse

OVERRIDE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def main(template_path, samconfig_path):
    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    params = template.get("Parameters", {})
    with open(samconfig_path, "rb") as f:
        samconfig = tomllib.load(f)
    overrides = samconfig["default"]["deploy"]["parameters"]["parameter_overrides"]
    problems = []
    for name, value in OVERRIDE.findall(overrides):
        if name not in params:
            problems.append(f"{name}: not a parameter of {template_path}")
        elif str(params[name].get("Default")) != value:
            problems.append(f"{name}: {samconfig_path} has {value!r}, {template_path} defaults to {params[name].get('Default')!r}")
    if not OVERRIDE.findall(overrides):
        problems.append(f"{samconfig_path}: no parameter_overrides")
    problems += check_env_vars(template, samconfig)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{samconfig_path}: parameter_overrides match the defaults of {template_path}; its env-vars file sets declared variables of every function")


def check_env_vars(template, samconfig):
    path = samconfig["default"]["local_invoke"]["parameters"]["env_vars"]
    with open(path, encoding="utf-8") as f:
        env = json.load(f)
    functions = {name: r for name, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    problems = [f"{path}: no variables for {name}" for name in functions if name not in env]
    for name, variables in env.items():
        if name not in functions:
            problems.append(f"{path}: {name} is not a function of the template")
            continue
        declared = functions[name]["Properties"].get("Environment", {}).get("Variables", {})
        problems += [f"{path}: {name}.{v} is not declared by the function, so SAM ignores it"
                     for v in variables if v not in declared]
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
