"""The building blocks of each Pulumi project, one subpackage per project.

A program under ``projects/<project>/__main__.py`` only wires these together; keeping the
modules here gives the repository one import root (``shared/``) and lets tests import them
without putting ``projects/`` on the path.
"""
