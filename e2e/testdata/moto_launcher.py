"""Start moto's server as the local twin of AWS Step Functions and S3.

moto 5.2.1 runs state machines (stepfunctions.execute_state_machine) with the
ASL interpreter it took from LocalStack, but as released it cannot run more
than one execution of a state machine, nor any JSONata expression, its
Distributed Map lacks what AWS documents (every page of a listing, JSON
Lines and S3 Inventory datasets, ItemBatcher, EXPRESS children, ResultWriter
files, failure tolerance, redrives) and its variables are assigned too early
(see twin/). This
launcher patches all of it in the running process, then hands over to
moto.server.main. Each patch checks the code it replaces, so that a different
moto version fails here, loudly, instead of misbehaving later.

Usage:
    python3 moto_launcher.py --port PORT --jsonata-dir DIR --evaluator FILE

DIR holds node_modules/jsonata; FILE is jsonata_eval.js beside this file.
MOTO_PORT must be set by the caller to the port of the proxy in front of
moto: the interpreter sends every AWS call (S3 listings, Lambda invocations)
to http://localhost:$MOTO_PORT.
"""

import argparse
import copy
import json
import subprocess
import sys
import threading

import moto
from moto import server
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions.parser.asl.jsonata import jsonata as sfn_jsonata

import twin

EXPECTED_MOTO = "5.2.1"


def patch_state_machine_deepcopy():
    """Fix: the second StartExecution of a state machine fails.

    StepFunctionsParserBackend.start_execution snapshots the state machine
    with copy.deepcopy. After a first execution, state_machine.executions
    holds an Execution with a live worker thread and an RLock, and deepcopy
    raises "cannot pickle '_thread.RLock' object" (HTTP 500). moto fixed it
    after 5.2.1 (issue 10077) by copying the state machine without its
    executions; this does the same for every StateMachineInstance (state
    machines and their versions).
    """
    cls = sfn_models.StateMachineInstance
    if "__deepcopy__" in cls.__dict__:
        raise SystemExit("moto_launcher: StateMachineInstance already has __deepcopy__; drop this patch")

    def deepcopy_without_executions(self, memo):
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        memo[id(self.executions)] = []
        for name, value in self.__dict__.items():
            setattr(clone, name, copy.deepcopy(value, memo))
        return clone

    cls.__deepcopy__ = deepcopy_without_executions


class NodeJSONata:
    """Evaluates JSONata with the npm jsonata package in one node process.

    moto calls the evaluator from many threads at once (one per Map
    iteration); a lock keeps one request in flight, which is plenty: an
    evaluation takes well under a millisecond.
    """

    def __init__(self, evaluator, jsonata_dir):
        self._proc = subprocess.Popen(
            ["node", evaluator, jsonata_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._lock = threading.Lock()
        self._next_id = 0

    def eval(self, expression):
        with self._lock:
            self._next_id += 1
            request = {"id": self._next_id, "expr": expression}
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise sfn_jsonata.JSONataException("UNKNOWN", "the JSONata evaluator exited")
        response = json.loads(line)
        if response.get("id") != request["id"]:
            raise sfn_jsonata.JSONataException("UNKNOWN", f"JSONata evaluator answered {line!r}")
        if "error" in response:
            raise sfn_jsonata.JSONataException("UNKNOWN", response["error"])
        return response["value"]


def patch_jsonata_engine(evaluator, jsonata_dir):
    """Fix: every JSONata expression fails with "'NoneType' object is not callable".

    moto ships LocalStack's JSONata support without its engine (a JVM bridge):
    jsonata._eval_jsonata stays None. eval_jsonata_expression reads that
    module global on every call, so setting it supplies the engine.
    """
    if getattr(sfn_jsonata, "_eval_jsonata", object()) is not None:
        raise SystemExit("moto_launcher: jsonata._eval_jsonata is no longer None; check this patch")
    engine = NodeJSONata(evaluator, jsonata_dir)
    if engine.eval("$sum([1, 2, 3])") != 6:
        raise SystemExit("moto_launcher: the JSONata evaluator does not work")
    sfn_jsonata._eval_jsonata = engine.eval


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jsonata-dir", required=True)
    parser.add_argument("--evaluator", required=True)
    args = parser.parse_args()

    if moto.__version__ != EXPECTED_MOTO:
        raise SystemExit(f"moto_launcher: moto {moto.__version__}; these patches are for {EXPECTED_MOTO}")
    patch_state_machine_deepcopy()
    patch_jsonata_engine(args.evaluator, args.jsonata_dir)
    twin.install()
    sys.stdout.flush()
    server.main(["--host", "127.0.0.1", "--port", str(args.port)])


if __name__ == "__main__":
    main()
