"""Translate a SAM template to plain CloudFormation, as `sam deploy` would.

Usage: python3 sam-translate.py template.yaml out.json

cfn-lint expands the SAM transform itself but then skips some rules (IAM action
names among them); linting this output runs them all. Local CodeUri and
DefinitionUri paths become s3:// URIs, because the translator accepts only
what `sam package` would have uploaded. The region is us-east-1 and the
account 123456789012: values only the checks see.
"""

import json
import os
import sys

import boto3
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

REGION = "us-east-1"

# Where the translator reads each resource type's local path.
LOCAL_PATHS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as f:
        template = yaml_parse(f.read())

    for name, resource in template.get("Resources", {}).items():
        prop = LOCAL_PATHS.get(resource.get("Type"))
        props = resource.get("Properties", {})
        if prop and isinstance(props.get(prop), str) and not props[prop].startswith("s3://"):
            props[prop] = f"s3://sam-translate-artifacts/{name}"

    os.environ["AWS_DEFAULT_REGION"] = REGION
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        boto_session=boto3.Session(region_name=REGION),
    )
    out = translator.translate(
        sam_template=template,
        parameter_values={},
        get_managed_policy_map=lambda: get_bundled_managed_policy_map("aws"),
    )
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
