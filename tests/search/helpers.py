"""Helpers shared by the search tests."""

from itdesk.search import services


def found(user, q, **kwargs):
    """What `user` finds for `q`: (kind, ticket number or article id) pairs, best first."""
    results = services.search(user, q, **kwargs)
    return [(hit.kind, hit.reference if hit.kind == "ticket" else hit.object_id) for hit in results.hits]
