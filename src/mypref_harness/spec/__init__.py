"""Everything the harness knows about an API description, in one place.

- ``document``: load a spec (Swagger 2.0 / OpenAPI 3.x, path or URL) and validate it; the one YAML/JSON loader
- ``operations``: the HTTP methods of a path item and the one walk over ``paths``
- ``refs``: following local ``$ref`` pointers
- ``paths``: the API's base path and joining a base URL with a spec path
- ``roles``: which operation plays a part the harness needs (create a profile, read it back, ...)
- ``params``: the ClientId and ProfileId path parameters, however a spec spells them
- ``stats`` and ``examples``: what ``spec stats`` and ``spec validate`` report
"""

from mypref_harness.spec.document import LoadedSpec, load_spec
from mypref_harness.spec.examples import ExampleProblem, example_problems
from mypref_harness.spec.operations import Operation, iter_operations
from mypref_harness.spec.stats import spec_stats

__all__ = [
    "ExampleProblem",
    "LoadedSpec",
    "Operation",
    "example_problems",
    "iter_operations",
    "load_spec",
    "spec_stats",
]
