"""Schemathesis hooks for slipway's contract run (SCHEMATHESIS_HOOKS=hooks).

`GET /v1/jobs/{id}/log?follow=true` streams until the job finishes; in the contract run no job
ever runs (there is no Docker engine), so those requests would never end. They are tested by
the Swift live tests and the CLI tests instead.
"""
import schemathesis


@schemathesis.hook
def filter_query(ctx, query):
    return not (query and "follow" in query and str(query.get("follow")).lower() in ("true", "1", ""))


@schemathesis.hook
def map_body(ctx, body):
    """The contract server has only a host pool (no dind daemon to run): a submission that
    leaves the worker to its default (dind) would be refused with 422 for that reason alone."""
    if isinstance(body, dict) and body.get("worker") is None and ctx.operation.path == "/v1/jobs":
        body = dict(body)
        body["worker"] = "host"
    return body
