"""Check that a batch's attempts always fit in its EXPRESS child workflow.

Usage: python3 check-retry-budget.py translated.json statemachine.asl.json

An EXPRESS workflow runs for at most 5 minutes (concepts-standard-vs-
express.html); a child that is still retrying then fails, and its batch
with it. For every FunctionTimeout the template's AllowedPattern accepts,
this renders the definition as that deployment would and computes, for the
Task states of each EXPRESS ItemProcessor (each is a child workflow of its
own), the worst case: every attempt the
retriers allow (the first one plus each retrier's MaxAttempts, as if the
errors took turns so that every retrier is used up) runs for the task's full
TimeoutSeconds, and every delay is at its longest (IntervalSeconds *
BackoffRate^n, capped at MaxDelaySeconds; jitter only shortens it). The
defaults of an absent field are the ones AWS documents (concepts-error-
handling.html): IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0, no cap.
The sum must stay under 300 s.
"""

import importlib.util
import json
import os
import re
import sys

EXPRESS_LIMIT = 300  # seconds

_spec = importlib.util.spec_from_file_location("render_asl", os.path.join(os.path.dirname(__file__), "render-asl.py"))
render_asl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_asl)

# The forms TimeoutSeconds may take in the rendered definition.
TIMEOUT_FORMS = [
    (re.compile(r"^\{%\s*\$number\('(\d+)'\)\s*\+\s*(\d+)\s*%\}$"), lambda m: int(m[1]) + int(m[2])),
    (re.compile(r"^\{%\s*\$number\('(\d+)'\)\s*%\}$"), lambda m: int(m[1])),
    (re.compile(r"^\{%\s*(\d+)\s*%\}$"), lambda m: int(m[1])),
]


def timeout_seconds(task, where):
    t = task.get("TimeoutSeconds")
    if isinstance(t, int):
        return t
    if isinstance(t, str):
        for form, value in TIMEOUT_FORMS:
            m = form.match(t)
            if m:
                return value(m)
    raise ValueError(f"{where}: TimeoutSeconds {t!r} is not a number this check can read "
                     "(without one a task may run for a year)")


def worst_case(task, where):
    """Returns (seconds, how) for every attempt and delay of one Task state."""
    timeout = timeout_seconds(task, where)
    attempts, delays = 1, 0.0
    for r in task.get("Retry", []):
        n = r.get("MaxAttempts", 3)
        interval, rate = r.get("IntervalSeconds", 1), r.get("BackoffRate", 2.0)
        cap = r.get("MaxDelaySeconds", float("inf"))
        attempts += n
        delays += sum(min(interval * rate ** k, cap) for k in range(n))
    total = attempts * timeout + delays
    return total, f"{attempts} attempts x {timeout} s + {delays:g} s of delays = {total:g} s"


def express_processors(definition):
    """Yields (path, tasks) for every EXPRESS ItemProcessor: its path and the
    (path, task) of every Task state in it, nested ones included. Each
    processor is a child workflow of its own, with its own 5 minutes."""
    def tasks(states, path):
        for name, s in states.items():
            here = f"{path}.{name}"
            if s.get("Type") == "Task":
                yield here, s
            for key in ("ItemProcessor", "Iterator"):
                if key in s:
                    yield from tasks(s[key].get("States", {}), f"{here}.{key}")
            for i, b in enumerate(s.get("Branches", [])):
                yield from tasks(b.get("States", {}), f"{here}.Branches[{i}]")

    def walk(states, path):
        for name, s in states.items():
            here = f"{path}.{name}"
            for key in ("ItemProcessor", "Iterator"):
                if key in s:
                    sub = s[key]
                    if sub.get("ProcessorConfig", {}).get("ExecutionType") == "EXPRESS":
                        yield f"{here}.{key}", list(tasks(sub.get("States", {}), f"{here}.{key}"))
                    else:
                        yield from walk(sub.get("States", {}), f"{here}.{key}")
            for i, b in enumerate(s.get("Branches", [])):
                yield from walk(b.get("States", {}), f"{here}.Branches[{i}]")
    yield from walk(definition.get("States", {}), "$")


def allowed_whole_numbers(template, name):
    pattern = template["Parameters"][name]["AllowedPattern"]
    values = [n for n in range(0, 100000) if re.fullmatch(pattern, str(n))]
    if not values:
        raise ValueError(f"{name}: AllowedPattern {pattern!r} accepts no whole number")
    return values


def main(template_path, asl_path):
    with open(template_path, encoding="utf-8") as f:
        template = json.load(f)
    with open(asl_path, encoding="utf-8") as f:
        asl = f.read()
    problems, worst = [], (0, "")
    timeouts = allowed_whole_numbers(template, "FunctionTimeout")
    for ft in timeouts:
        subs = render_asl.substitutions(template, {"FunctionTimeout": str(ft)})
        definition = json.loads(render_asl.render(asl, subs))
        processors = list(express_processors(definition))
        if not processors or not all(tasks for _, tasks in processors):
            problems.append("an EXPRESS ItemProcessor without a Task state, or none at all: nothing to check")
            break
        for processor, tasks in processors:
            # A child's states run one after another, so its tasks add up.
            total, hows = 0, []
            for where, task in tasks:
                t, how = worst_case(task, where)
                total += t
                hows.append(f"{where}: {how}")
            if total >= EXPRESS_LIMIT:
                problems.append(f"FunctionTimeout={ft}: {processor}: worst case {total:g} s, not under {EXPRESS_LIMIT} s ({'; '.join(hows)})")
            if total > worst[0]:
                worst = (total, f"FunctionTimeout={ft}: {'; '.join(hows)}")
    for p in problems[:3]:
        print(f"{asl_path}: {p}", file=sys.stderr)
    if len(problems) > 3:
        print(f"{asl_path}: ... and {len(problems) - 3} more FunctionTimeout values", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"  FunctionTimeout {timeouts[0]}..{timeouts[-1]}: the worst case is {worst[1]} (< {EXPRESS_LIMIT} s)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        main(*sys.argv[1:])
    except ValueError as e:
        sys.exit(f"check-retry-budget: {e}")
