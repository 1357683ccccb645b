"""The s3:listObjectsV2 ItemReader: every key under the prefix, as items.

AWS documents it in
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html:
the Map iterates over every object the listing returns, ListObjectsV2 being
called again with the ContinuationToken until the listing is complete (a
page holds at most 1,000 keys), and each item is an object's entry as the
page's example shows it:

    {"Etag": "\"05704fbdccb224cb01c59005bebbad28\"",
     "Key": "processData/images/n02085620_1073.jpg",
     "LastModified": 1668699881,
     "Size": 34910,
     "StorageClass": "STANDARD"}

An empty listing is zero items. A listing that fails is the Map's
States.ItemReaderFailed
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html),
which a Catch can handle.
"""

import datetime


def list_items(list_page, arguments):
    """Returns the items of every page of the listing arguments describe.

    list_page is a ListObjectsV2 call (boto3's list_objects_v2); arguments
    are the ItemReader's evaluated Arguments (or Parameters): Bucket, Prefix
    and any other ListObjectsV2 parameter.
    """
    items = []
    request = dict(arguments)
    while True:
        page = list_page(**request)
        items.extend(item(entry) for entry in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return items
        token = page.get("NextContinuationToken")
        if not token:
            raise ValueError("ListObjectsV2 says the listing is truncated but gives no NextContinuationToken")
        request["ContinuationToken"] = token


def item(entry):
    """The Map item of one entry of a ListObjectsV2 page (boto3's shape)."""
    modified = entry.get("LastModified")
    if isinstance(modified, datetime.datetime):
        modified = int(modified.timestamp())
    return {
        "Etag": entry.get("ETag"),
        "Key": entry["Key"],
        "LastModified": modified,
        "Size": entry.get("Size"),
        "StorageClass": entry.get("StorageClass", "STANDARD"),
    }
