"""core: the findings service of one account — its storage, pipeline, functions and API."""
