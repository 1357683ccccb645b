"""Check that samconfig.toml deploys template.yaml with its parameter defaults.

Usage: python3 check-samconfig.py template.yaml samconfig.toml

samconfig.toml's parameter_overrides repeat the defaults so that a plain
`sam deploy` shows what it deploys; this fails when the two drift apart or
an override names a parameter the template does not have.
"""

import re
import sys
import tomllib

from samtranslator.yaml_helper import yaml_parse

OVERRIDE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def main(template_path, samconfig_path):
    with open(template_path, encoding="utf-8") as f:
        params = yaml_parse(f.read()).get("Parameters", {})
    with open(samconfig_path, "rb") as f:
        overrides = tomllib.load(f)["default"]["deploy"]["parameters"]["parameter_overrides"]
    problems = []
    for name, value in OVERRIDE.findall(overrides):
        if name not in params:
            problems.append(f"{name}: not a parameter of {template_path}")
        elif str(params[name].get("Default")) != value:
            problems.append(f"{name}: {samconfig_path} has {value!r}, {template_path} defaults to {params[name].get('Default')!r}")
    if not OVERRIDE.findall(overrides):
        problems.append(f"{samconfig_path}: no parameter_overrides")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{samconfig_path}: parameter_overrides match the defaults of {template_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
