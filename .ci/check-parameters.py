"""Check that whole-number parameters accept exactly the whole numbers of their range.

Usage: python3 check-parameters.py template.yaml

CloudFormation's Number type accepts 1.5, and MinValue/MaxValue do not
change that, but the fields these parameters feed (the Map's MaxConcurrency
and ItemBatcher, Lambda's MemorySize and Timeout...) take integers only: a
deployment would fail late, or a JSONata $number would pass 1.5 on. So the
template has no Number parameter: each whole-number one is a String with an
AllowedPattern, and this checks every pattern against the range in RANGES,
by trying every integer up to well past the range and a list of strings that
are not plain whole numbers ("1.5", "1e3", "+1", "010"...).
"""

import re
import sys

from samtranslator.yaml_helper import yaml_parse

# The documented range of each whole-number parameter.
RANGES = {
    "MaxConcurrency": (1, 10000),           # a Distributed Map runs at most 10,000 children at once
    "BatchSize": (1, 1000),                 # job.MaxBatchItems
    "BatchMaxBytes": (4096, 131072),        # job.MaxBatchInputBytes
    "ToleratedFailurePercentage": (0, 100),
    "FunctionMemory": (128, 10240),         # Lambda's MemorySize range
    "FunctionTimeout": (10, 60),            # .ci/check-retry-budget.py: 4 attempts in 300 s
    "SplitSizeMiB": (8, 65536),             # 8 MiB: job.DefaultPartSize; 64 GiB: far past what one invocation reads
}

NOT_WHOLE = ["", " ", "1.5", "10.0", "1e3", "+1", "-1", " 1", "1 ", "010", "0x10", "١٠", "1,000", "10\n"]


def check(template):
    params = template.get("Parameters", {})
    problems = [f"{name}: Type Number accepts decimals such as 1.5; use String with an AllowedPattern"
                for name, p in params.items() if p.get("Type") == "Number"]
    for name, (lo, hi) in RANGES.items():
        p = params.get(name)
        if p is None:
            problems.append(f"{name}: not a parameter of the template")
            continue
        pattern = p.get("AllowedPattern")
        if p.get("Type") != "String" or not pattern:
            problems.append(f"{name}: want Type String with an AllowedPattern, got Type {p.get('Type')}")
            continue
        # CloudFormation's patterns are Java regular expressions; ours use only
        # what Java and Python read alike, anchored at both ends.
        if not (pattern.startswith("^") and pattern.endswith("$")):
            problems.append(f"{name}: AllowedPattern {pattern!r} is not anchored with ^ and $")
        accepted = [n for n in range(0, 2 * hi + 10) if re.fullmatch(pattern, str(n))]
        if accepted != list(range(lo, hi + 1)):
            got = f"{accepted[0]}..{accepted[-1]} ({len(accepted)} values)" if accepted else "none"
            problems.append(f"{name}: AllowedPattern {pattern!r} accepts {got}; want {lo}..{hi}")
        for s in NOT_WHOLE + [f"{lo}.5", f"{hi}.0", f"0{lo}"]:
            if re.fullmatch(pattern, s):
                problems.append(f"{name}: AllowedPattern {pattern!r} accepts {s!r}, not a plain whole number")
        default = str(p.get("Default"))
        if not (default.isdigit() and lo <= int(default) <= hi):
            problems.append(f"{name}: Default {default!r} is outside {lo}..{hi}")
    return problems


def main(path):
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    problems = check(template)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    for name, (lo, hi) in RANGES.items():
        print(f"  {name}: whole numbers {lo}..{hi} only (rejects 1.5, 1e3, +1, 010...)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
