"""AWS IAM semantics, shared by every reader of AWS policies (authorization details, CloudFormation, bare policy
documents, Terraform next): statements read and located (`statements`), the action data (`actions`), evaluation
to grants with Deny, wildcards, NotAction/NotResource and conditions (`evaluate`), privilege-escalation methods
(`escalation`), trust policies (`trust`) and the table of AWS-managed policies (`managed_policies`). `policy` is the
interface the readers import.
"""
