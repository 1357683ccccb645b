"""The local twin: moto 5.2.1's Step Functions interpreter taught what AWS
documents for a Distributed Map and that moto lacks.

  definition.py  the fields moto's parser cannot read, set aside and checked
  parse.py       moto's parser given them back (the stored definition unchanged)
  listing.py     the s3:listObjectsV2 ItemReader: every page, AWS's items
  reader.py      the s3:getObject ItemReader's datasets: JSON, JSONL, an S3
                 Inventory manifest; itemreader.py reads them in moto
  batching.py    ItemBatcher: MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput
  tolerance.py   ToleratedFailureCount / ToleratedFailurePercentage
  results.py     ResultWriter: manifest.json and the SUCCEEDED/FAILED/PENDING files
  maprun.py      the run itself, in moto's interpreter
  catch.py       States.ALL, which catches neither States.Runtime nor
                 States.DataLimitExceeded
  awssdk.py      AWS SDK integrations: PascalCase parameters and results
  counts.py      DescribeMapRun's item and execution counts
  redrive.py     RedriveExecution: from the state that failed; a Map Run's
                 unsuccessful children re-run
  variables.py   workflow variables: assigned as the state exits, limits

install() applies the patches once per process; each checks the code it
replaces (patch.py) and stops the process if moto is not the moto they were
written for.
"""

from . import awssdk, catch, counts, itemreader, maprun, parse, redrive, variables

_installed = False


def install():
    """Patches moto's interpreter in this process (once)."""
    global _installed
    if _installed:
        return
    parse.install()
    maprun.install()
    itemreader.install()
    catch.install()
    awssdk.install()
    counts.install()
    redrive.install()
    variables.install()
    _installed = True
