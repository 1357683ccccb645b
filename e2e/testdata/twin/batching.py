"""ItemBatcher: how a Distributed Map groups its items into child inputs.

AWS documents it in
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html:
the items (each already through the ItemSelector) go, in order, into an
"Items" array, the BatchInput beside it, and each child workflow execution
gets one such batch, {"Items": [...], "BatchInput": {...}}. A batch holds at
most MaxItemsPerBatch items and at most MaxInputBytesPerBatch bytes, which can
be up to 256 KiB; when both are given, a batch ends at whichever it reaches
first.

Which bytes count is not spelled out on that page. The twin measures what the
child receives: the UTF-8 bytes of the batch's compact JSON, "Items",
"BatchInput" and punctuation included, so that a batch never exceeds the
limit however AWS counts, and the 256 KiB bound on a child's input holds for
the whole input. An item that does not fit in a batch by itself is an error
(BatchError): the docs do not say what AWS does then, and the twin refuses to
deliver an input over the limit.
"""

import json

# The largest MaxInputBytesPerBatch, and the bound on any child's input.
MAX_INPUT_BYTES = 256 * 1024


class BatchError(ValueError):
    """The batcher's settings or an item cannot make a valid batch."""


def json_bytes(value):
    """The size of value's compact JSON in UTF-8, non-ASCII text unescaped."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def make_batches(items, max_items=None, max_bytes=None, batch_input=None):
    """Returns the child inputs for items, in order.

    max_items and max_bytes are MaxItemsPerBatch and MaxInputBytesPerBatch
    (None when the definition leaves one out; at least one is needed).
    batch_input is the evaluated BatchInput, or None for none: then a batch
    is {"Items": [...]} alone.
    """
    if max_items is None and max_bytes is None:
        raise BatchError("ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch")
    for name, value in (("MaxItemsPerBatch", max_items), ("MaxInputBytesPerBatch", max_bytes)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise BatchError(f"{name} must be a positive integer, not {value!r}")
    if max_bytes is not None and max_bytes > MAX_INPUT_BYTES:
        raise BatchError(f"MaxInputBytesPerBatch must be at most {MAX_INPUT_BYTES}, not {max_bytes}")
    limit = MAX_INPUT_BYTES if max_bytes is None else max_bytes

    def wrap(batch):
        child = {"Items": batch}
        if batch_input is not None:
            child["BatchInput"] = batch_input
        return child

    # A batch's JSON is the empty batch's with its items and a comma between
    # two of them inserted: count it without encoding every candidate.
    empty = json_bytes(wrap([]))
    batches, current, size = [], [], empty
    for index, item in enumerate(items):
        n = json_bytes(item)
        grown = size + n + (1 if current else 0)
        full = (max_items is not None and len(current) == max_items) or grown > limit
        if current and full:
            batches.append(wrap(current))
            current, grown = [], empty + n
        if grown > limit:
            raise BatchError(
                f"item {index} alone makes a batch input of {grown} bytes, "
                f"over the {limit}-byte MaxInputBytesPerBatch"
            )
        current.append(item)
        size = grown
    if current:
        batches.append(wrap(current))
    return batches
