"""Live auth conformance: does the target authenticate as the vendor documents?

Modules: ``probe`` (AuthProbe: crafts and sends the requests), ``outcomes``, ``registry``
(``@auth_check``), ``pnauth_checks`` and ``oauth_checks`` (the checks), ``catalog`` (all of them, in
order), ``discovery`` (the probes that measure facts), ``run`` (run_auth_conformance).

Every check is a small function registered with :func:`~.registry.auth_check`: its id comes from the function
name (``pnauth.missing-header`` from ``missing_header`` under the ``pnauth`` scheme), its title from
the first line of its docstring, and its **basis** (:mod:`mypref_harness.basis`) from the decorator:
``documented`` rules quote the sentence of the API overview they enforce, verbatim. A check sends a
few crafted requests through an :class:`~.probe.AuthProbe` and returns an :class:`~.outcomes.Outcome`;
the run turns it into a CheckRecord (evidence = status, WWW-Authenticate, Message;
never a signature or token) and the verdict policy decides whether a finding fails or warns.

An answer that decides nothing (5xx, 429, timeouts, after retries) never passes or fails a check:
the check is ERRORED with the reason. Each check declares the seeded sandbox defects it is expected
to catch (``catches``), which the defect-matrix test uses.
"""
