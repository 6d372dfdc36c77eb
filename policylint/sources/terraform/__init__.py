"""Terraform: the JSON `terraform show -json` writes for a plan or a state (`plan`)."""
