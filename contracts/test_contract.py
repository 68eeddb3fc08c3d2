"""The Schemathesis contract suite for pytest users.

    pytest contracts/                    # the embedded sandbox, 5 examples per operation
    MYPREF_CONTRACT_MAX_EXAMPLES=50 MYPREF_BASE_URL=... pytest contracts/

Same spec handling, auth, hooks and custom checks as `mypref-harness contract` (docs/contract.md).
One test per operation (examples, coverage and fuzzing phases); the stateful phase, the read-back
scenarios and the auth-conformance checks run with `mypref-harness contract`.
"""

from mypref_harness.contract.schemathesis.pytest_support import session_schema

schema = session_schema()


@schema.parametrize()
def test_operation_honours_the_contract(case):
    case.call_and_validate()
