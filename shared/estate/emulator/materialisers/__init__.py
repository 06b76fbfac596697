"""One module per AWS service; each registers its materialisers on import."""
