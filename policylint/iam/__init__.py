"""AWS IAM semantics, shared by every reader of AWS policies (authorization details, CloudFormation, bare policy
documents, Terraform next): statements read and located (`statements`), the action data (`actions`), evaluation
to grants with Deny, wildcards, NotAction/NotResource and conditions (`evaluate`), privilege-escalation methods
(`escalation`), trust policies (`trust`), the table of AWS-managed policies (`managed_policies`), and the lint of
the policy text (`lint`: unknown actions, resource-type mismatches, NotAction/NotResource, credential exposure,
open principals). `policy` is the interface the readers import.
"""
