"""An offline AWS for the platform: a recorded plan's resources created in moto, with their
real names, and Lambda handlers run in process when moto's triggers fire.

- ``Emulator(runs)``: materialise the resources of recorded ``StackRun``s (from
  ``estate.plan.runner.run_stack``) into moto, in recorded order, each by the materialiser
  registered for its Pulumi type (``estate.emulator.registry``; one module per service in
  ``estate.emulator.materialisers``, found by name, so a new service is a new module).
- ``install_invoke_hook()``: moto runs Lambda code in Docker; the hook replaces that one
  method so every path that invokes a function (Invoke, SQS mappings, S3 notifications,
  Step Functions tasks) imports the recorded handler from the function's code and calls it,
  with a context whose time runs down, logging every invocation (``InvocationLog``) and
  naming the function running on a thread (``running_function``).
"""

from estate.emulator.invoke import (
    InvocationLog,
    InvokeRecord,
    LambdaContext,
    install_invoke_hook,
    running_function,
)
from estate.emulator.registry import Materialised, World, materialiser
from estate.emulator.world import Emulator, StreamMapping

__all__ = [
    "Emulator",
    "InvocationLog",
    "InvokeRecord",
    "LambdaContext",
    "Materialised",
    "StreamMapping",
    "World",
    "install_invoke_hook",
    "materialiser",
    "running_function",
]
