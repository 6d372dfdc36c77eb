"""AWS: IAM policy evaluation (`policy`) and the sources that use it (authorization details, credential report)."""
