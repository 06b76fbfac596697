"""The estate's CrossGuard policy pack, as importable rules.

``policy/__main__.py`` constructs the ``PolicyPack`` from ``registry.build_policies``
(construction starts a server, so it happens only there); ``estate plan`` runs the same
rules over every stack's mocked resources through ``estate.policy.evaluate``.
"""
