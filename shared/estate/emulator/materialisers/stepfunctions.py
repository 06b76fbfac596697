"""Step Functions: state machines with their recorded definition and role.

moto's interpreter runs a definition only when its config says so
(``{"stepfunctions": {"execute_state_machine": True}}``); its Task states invoke Lambda with
credentials of moto's default account, so a caller running an execution of another account
sets ``MOTO_ACCOUNT_ID`` to that account for the execution's duration (estate.demo does).
"""

from __future__ import annotations

from estate.emulator.registry import Materialised, Resource, World, materialiser


@materialiser("aws:sfn/stateMachine:StateMachine")
def state_machine(world: World, resource: Resource) -> Materialised:
    """CreateStateMachine with the definition as recorded (mock ARNs already translated)."""
    created = world.client(
        "stepfunctions", resource.account_id, resource.region
    ).create_state_machine(
        name=resource.inputs["name"],
        definition=resource.inputs["definition"],
        roleArn=resource.inputs["roleArn"],
        type=resource.inputs.get("type", "STANDARD"),
    )
    return {"id": created["stateMachineArn"], "arn": created["stateMachineArn"]}
