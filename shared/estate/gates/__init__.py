"""Pull-request gates no other check covers, each runnable from `.ci/run`:

- ``python -m estate.gates.cfn_lint``: every pulumi-aws-native resource of the plan, as a
  CloudFormation template, through cfn-lint and AWS's own resource schemas;
- ``python -m estate.gates.contracts --base REF``: no output a consumer reads is removed or
  retyped between the base and the head;
- ``python -m estate.gates.parity``: dev, staging and prod differ only in what the account
  files declare.
"""
