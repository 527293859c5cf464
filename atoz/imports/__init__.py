"""Importers: atoz's own files, Amazon's order data, finance events and claim e-mails.

`detect` tells the kinds apart and dispatches; `common` holds what every importer shares.
Importers import `common`, `rejects`, `staging` and `amazon`, never each other.
"""
