"""The s3:getObject ItemReader: a dataset held in S3 objects, as items.

AWS documents it in
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html.
ReaderConfig.InputType says how the object is read:

  - JSON: the object is a JSON array; each element is an item (the page's
    factcheck.json). Anything else is an error, "Attempting to map over
    non-iterable node." as Step Functions words it for an object.
  - JSONL: one item per line, "as many child workflow executions as the
    number of lines present in the JSONL file" (factcheck.jsonl).
  - MANIFEST (or ManifestType S3_INVENTORY): the manifest.json of an S3
    Inventory report; the items are the rows of the CSV files it lists,
    each an object whose fields are named by the manifest's fileSchema and
    whose values are the CSV's strings, as the page's child input shows:

        {"LastModifiedDate": "2022-11-16T00:29:32.000Z",
         "Bucket": "amzn-s3-demo-source-bucket",
         "Size": "3399671",
         "Key": "csvDataset/titles.csv"}

    "The output format of your Amazon S3 inventory report must be CSV":
    an ORC or Parquet report is an error. The data files are gzipped CSV
    without a header row, keys URL-encoded
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory.html,
    storage-inventory-location.html).

"Input files support the following external compression types: GZIP,
ZSTD", by their names' example (myObject.jsonl.gz). ReaderConfig.MaxItems
stops reading after that many items ("up to 100,000,000"); 0 is no limit.

A dataset that cannot be read ends the Map Run with States.ItemReaderFailed
(ReaderError here); the page says nothing of these, and each is read the
conservative way, so that what the twin reads AWS reads too:

  - a blank line in a JSONL file (one that is empty or only white space)
    is an error, not skipped; the newline ending the last line is no line;
  - a JSONL line that is not JSON is an error naming the line;
  - an empty JSONL file is zero items, an empty JSON file an error (not
    JSON);
  - an item over 8 MB (8,000,000 bytes, "Step Functions supports reading
    an item of up to 8 MB") is an error;
  - an inventory's data files are read from its destinationBucket, which
    must be the bucket the manifest is read from (S3 delivers both there);
  - the Key of an inventory item is the CSV's field as written,
    URL-encoded, since the page calls every field of a delimited file a
    string and shows no decoding; decode_keys=True gives the other
    reading, the key decoded (space from "+", "%XX" escapes);
  - ZSTD is not read here (Python's library has no ZSTD): an error.
"""

import csv
import gzip
import io
import json
import urllib.parse

JSON, JSONL, MANIFEST = "JSON", "JSONL", "MANIFEST"
INPUT_TYPES = (JSON, JSONL, MANIFEST)

# ReaderConfig.MaxItems: at most this, 0 for no limit.
MAX_ITEMS = 100_000_000
# The largest item Step Functions reads from a file.
MAX_ITEM_BYTES = 8_000_000

# The cause Step Functions gives for a JSON dataset that is not an array.
NOT_ITERABLE = "Attempting to map over non-iterable node."


class ReaderError(ValueError):
    """The dataset cannot be read: States.ItemReaderFailed."""


def decompress(key, body):
    """body, the object named key, decompressed as its name says."""
    name = key.lower()
    if name.endswith(".gz"):
        try:
            return gzip.decompress(body)
        except (OSError, EOFError) as ex:
            raise ReaderError(f"{key} is named .gz but is not gzip: {ex}")
    if name.endswith((".zst", ".zstd")):
        raise ReaderError(f"{key}: ZSTD compression is not read by the local twin")
    return body


def _text(body, where):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise ReaderError(f"{where} is not UTF-8 text: {ex}")


def json_items(body, where="the object"):
    """The items of a JSON dataset: the elements of its array."""
    text = _text(body, where)
    try:
        value = json.loads(text)
    except ValueError as ex:
        raise ReaderError(f"{where} is not JSON: {ex}")
    if not isinstance(value, list):
        raise ReaderError(NOT_ITERABLE)
    for i, item in enumerate(value):
        if len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) > MAX_ITEM_BYTES:
            raise ReaderError(f"item {i} of {where} is over {MAX_ITEM_BYTES} bytes")
    return value


def jsonl_lines(body, where="the object"):
    """The lines of a JSON Lines dataset, each with its number (from 1)."""
    text = _text(body, where)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline ending the last line
    return list(enumerate(lines, start=1))


def jsonl_items(body, where="the object", limit=None):
    """The items of a JSON Lines dataset, one a line; at most limit."""
    items = []
    for number, line in jsonl_lines(body, where):
        if limit is not None and len(items) >= limit:
            break
        if len(line.encode("utf-8")) > MAX_ITEM_BYTES:
            raise ReaderError(f"line {number} of {where} is over {MAX_ITEM_BYTES} bytes")
        if line.strip() == "":
            raise ReaderError(f"line {number} of {where} is blank: a JSON Lines file has one JSON value a line")
        try:
            items.append(json.loads(line))
        except ValueError as ex:
            raise ReaderError(f"line {number} of {where} is not JSON: {ex}")
    return items


def inventory(body, bucket, where="the manifest"):
    """Reads an S3 Inventory manifest.json read from bucket: returns the
    column names (fileSchema) and the keys of its data files, in order."""
    try:
        m = json.loads(_text(body, where))
    except ValueError as ex:
        raise ReaderError(f"{where} is not JSON: {ex}")
    if not isinstance(m, dict):
        raise ReaderError(f"{where} is not an S3 Inventory manifest (a JSON object)")
    fmt = m.get("fileFormat")
    if fmt != "CSV":
        raise ReaderError(f"{where} lists an inventory in {fmt!r}: the output format of an S3 inventory report "
                          "read by a Distributed Map must be CSV")
    schema = m.get("fileSchema")
    if not isinstance(schema, str) or not schema.strip():
        raise ReaderError(f"{where} has no fileSchema")
    columns = [c.strip() for c in schema.split(",")]
    destination = m.get("destinationBucket")
    if destination != f"arn:aws:s3:::{bucket}":
        raise ReaderError(f"{where} names destinationBucket {destination!r}; it is read from "
                          f"arn:aws:s3:::{bucket}, where its data files must be")
    files = m.get("files")
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("key"), str) for f in files):
        raise ReaderError(f"{where} has no list of files, each with a key")
    return columns, [f["key"] for f in files]


def inventory_items(body, columns, where="the data file", decode_keys=False, limit=None):
    """The items of one inventory data file: body is its CSV (decompressed),
    without a header row, columns the manifest's fileSchema. A row with
    fewer fields than columns gets empty strings, extra fields are left out
    (the page's rules for a delimited file)."""
    items = []
    reader = csv.reader(io.StringIO(_text(body, where), newline=""))
    for row in reader:
        if limit is not None and len(items) >= limit:
            break
        if not row:
            raise ReaderError(f"row {reader.line_num} of {where} is blank")
        item = {c: (row[i] if i < len(row) else "") for i, c in enumerate(columns)}
        if decode_keys and "Key" in item:
            item["Key"] = urllib.parse.unquote_plus(item["Key"])
        items.append(item)
    return items


def max_items(value):
    """The number of items to read for ReaderConfig.MaxItems value (None:
    not given), or None for no limit. A value that is not an integer is a
    ValueError, a negative one a ReaderError, as Step Functions answers
    them (States.Runtime and States.ItemReaderFailed)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"The MaxItems field refers to value {json.dumps(value)} which is not a valid integer")
    if value < 0:
        raise ReaderError("field MaxItems must be positive")
    if value == 0:
        return None
    return min(value, MAX_ITEMS)
