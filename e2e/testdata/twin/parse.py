"""moto's parser, given back what definition.set_aside() removes.

AmazonStateLanguageParser.parse serves CreateStateMachine and
UpdateStateMachine (to validate) and every execution (to run). The
replacement parses the reduced copy set_aside() makes and hangs each
Distributed Map's MapExtras on that Map's iteration component, where
maprun.py reads it, and on its ItemReader, where itemreader.py does. The stored definition is never changed.
"""

from moto.stepfunctions.parser import api
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.state_map import StateMap
from moto.stepfunctions.parser.asl.component.state.exec.state_map.tolerated_failure import (
    ToleratedFailurePercentage,
)
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
)

from . import definition, patch

# AmazonStateLanguageParser.parse in moto 5.2.1.
PARSE_DIGEST = "a59a7d18760fb22e"


def install():
    # AWS answers an invalid definition with the error InvalidDefinition.
    # moto's class names it in `code`, which the AWSError it derives from does
    # not read: the answer would have no error type.
    if api.InvalidDefinition.TYPE is not None:
        raise patch.PatchError("twin: InvalidDefinition has an error type already; drop this patch")
    api.InvalidDefinition.TYPE = "InvalidDefinition"

    original = None

    def parse(text):
        try:
            reduced, extras = definition.set_aside(text)
        except definition.DefinitionError as ex:
            raise ASLParserException(errors=[str(ex)])
        program, tree = original(reduced)
        attach(program, extras)
        return program, tree

    original = patch.replace(AmazonStateLanguageParser, "parse", parse, PARSE_DIGEST)


def attach(program, extras):
    """Hangs each MapExtras on its Distributed Map; every one must be found."""
    found = set()
    for c in components(program):
        if not isinstance(c, StateMap) or not isinstance(c.iteration_component, DistributedIterationComponent):
            continue
        x = extras.get(c.name)
        if x is None or c.name in found:
            raise RuntimeError(f"twin: Distributed Map {c.name!r} was not set aside when the definition was read")
        found.add(c.name)
        c.iteration_component.twin_extras = x
        if x.reader_config is not None:
            if c.item_reader is None:
                raise RuntimeError(f"twin: Distributed Map {c.name!r} has a ReaderConfig but no ItemReader was parsed")
            c.item_reader.twin_extras = x
        if x.tolerated_percentage_literal is not None:
            c.tolerated_failure_percentage_decl = ToleratedFailurePercentage(x.tolerated_percentage_literal)
    if found != set(extras):
        raise RuntimeError(f"twin: no Distributed Map parsed for {sorted(set(extras) - found)}")


def components(root):
    """Every moto Component reachable from root, each once."""
    seen, stack = set(), [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple, set)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, Component):
            yield obj
            stack.extend(vars(obj).values())
