"""Failure tolerance of a Distributed Map run.

AWS documents it in
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
(failure threshold): the run fails with States.ExceedToleratedFailureThreshold
when the failed (or timed-out) items exceed ToleratedFailureCount, or their
share of all the items exceeds ToleratedFailurePercentage. With an
ItemBatcher, a child execution that fails counts every item of its batch.
Without either field nothing is tolerated: one failed item fails the run.
"""

from fractions import Fraction

# The Cause Step Functions gives with States.ExceedToleratedFailureThreshold.
CAUSE = "The specified tolerated failure threshold was exceeded"


def exceeded(failed_items, total_items, count=None, percentage=None):
    """Reports whether failed_items of total_items break the threshold.

    count and percentage are the ToleratedFailureCount and
    ToleratedFailurePercentage the definition declares, None for one it does
    not. The comparison is exact: 1 failure in 20 items is 5 %, within a
    tolerance of 5.
    """
    if failed_items <= 0:
        return False
    if count is None and percentage is None:
        return True
    if count is not None and failed_items > count:
        return True
    if percentage is not None and Fraction(failed_items * 100, total_items) > Fraction(percentage):
        return True
    return False
