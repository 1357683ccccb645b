"""The local twin: what AWS documents for a Distributed Map and moto 5.2.1's
Step Functions interpreter lacks, as plain functions.

  definition.py  the fields moto's parser cannot read, set aside and checked
  listing.py     the s3:listObjectsV2 ItemReader: every page, AWS's items
  batching.py    ItemBatcher: MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput
  tolerance.py   ToleratedFailureCount / ToleratedFailurePercentage
  results.py     ResultWriter: manifest.json and the SUCCEEDED/FAILED/PENDING files
  patch.py       replacing moto's code after checking it
"""
